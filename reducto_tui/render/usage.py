"""Find the usage (credits, pages) inside any result kind."""

from __future__ import annotations

from typing import Any

from reducto_tui.api.models import KnownResult, UnknownResult


def usage_of(result: KnownResult | None) -> Any:
    if result is None or isinstance(result, UnknownResult):
        return None
    return getattr(result, "usage", None)
