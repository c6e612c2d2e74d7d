"""Freezing loaded jobs out of the collector's view never freezes garbage with them."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from reducto_tui.core.memory import keep_loaded_jobs_out_of_gc


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture(autouse=True)
def unfreeze() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_garbage_is_collected_before_the_freeze() -> None:
    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: only the collector can free it
    gone = weakref.ref(a)
    kept = Node()
    del a, b
    keep_loaded_jobs_out_of_gc()
    assert gone() is None  # freed, not frozen forever
    assert gc.get_freeze_count() > 0 and kept.other is None
