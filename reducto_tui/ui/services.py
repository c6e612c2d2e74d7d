"""What the app hands its screens: settings, the client and the core objects it owns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reducto_tui.api.client import ReductoClient
from reducto_tui.config import Settings
from reducto_tui.core.poller import Poller
from reducto_tui.core.store import JobStore


@dataclass(frozen=True)
class Services:
    settings: Settings
    client: ReductoClient
    store: JobStore
    poller: Poller
    #: Wall time (frozen in tests and snapshots).
    clock: Callable[[], float]
    demo: bool = False
