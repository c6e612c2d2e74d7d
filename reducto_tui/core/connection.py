"""What the header says about the connection to the server: live, paused, off, reconnecting,
key rejected, or waiting for a server that is slow to answer.

A pure function of the poller (and its client's requests in flight), so the widget only
draws it and tests can read it without a screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from reducto_tui.core.poller import Poller, PollState

#: A request in flight this long is no longer "live": the user should see that we wait.
SLOW_REQUEST = 3.0


@dataclass(frozen=True, slots=True)
class Connection:
    state: PollState
    #: The words after the dot in the header ("live", "waiting for the server (12 s)").
    label: str


def connection(poller: Poller, slow: float = SLOW_REQUEST) -> Connection:
    """The header's state. A request hanging on a slow server wins over everything but a
    rejected key (then nothing is sent): "● live" would claim data is fresh while it is not.
    """
    state = poller.state
    age = poller.client.oldest_inflight_age()
    if state is not PollState.KEY_REJECTED and age is not None and age >= slow:
        return Connection(PollState.WAITING, f"waiting for the server ({age:.0f} s)")
    if state is PollState.LIVE and not poller.store.pages_loaded:
        # Nothing has arrived yet: "live" would claim a list we do not have.
        return Connection(PollState.WAITING, "connecting…")
    if state is PollState.RECONNECTING:
        return Connection(state, f"reconnecting in {poller.seconds_until_next():.0f}s")
    return Connection(state, state.value)
