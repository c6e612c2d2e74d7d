"""How long the open detail waits before asking for its job again (core.follow)."""

from __future__ import annotations

import math

import pytest

from reducto_tui.api.errors import (
    AuthError,
    BadResponseError,
    JobDeletedError,
    NetworkError,
    NotFoundError,
    RateLimitError,
    ReductoError,
    ServerError,
)
from reducto_tui.core.follow import FollowPace


@pytest.mark.parametrize(
    ("setting", "first_gap"), [(2.0, 2.0), (0.1, 1.0), (0.0, 1.0), (math.nan, 2.0), (math.inf, 2.0)]
)
def test_never_sooner_than_a_second_and_a_broken_setting_means_two(
    setting: float, first_gap: float
) -> None:
    assert FollowPace(setting).answered(changed=True) == first_gap


def test_a_job_that_does_not_change_is_asked_less_often_up_to_five_seconds() -> None:
    pace = FollowPace(2.0)
    gaps = [pace.answered(changed=False) for _ in range(5)]
    assert gaps == [3.0, 4.5, 5.0, 5.0, 5.0]
    assert pace.answered(changed=True) == 2.0, "a change brings the pace back at once"
    assert pace.answered(changed=False) == 3.0


def test_a_slow_setting_is_kept_even_above_the_idle_ceiling() -> None:
    pace = FollowPace(8.0)
    assert [pace.answered(changed=False) for _ in range(3)] == [8.0, 8.0, 8.0]


def test_transient_errors_back_off_exponentially_to_a_minute() -> None:
    pace = FollowPace(2.0)
    down = ServerError("HTTP 503")
    gaps = [pace.failed(down) for _ in range(7)]
    assert gaps == [4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    assert pace.failed(NetworkError("unreachable")) == 60.0
    pace.answered(changed=True)  # it answered again: the next error starts over
    assert pace.failed(down) == 4.0


@pytest.mark.parametrize(
    ("retry_after", "gap"),
    [(None, 4.0), (1.0, 4.0), (90.0, 90.0), (1000.0, 300.0), (math.inf, 60.0), (math.nan, 60.0)],
)
def test_a_429_waits_what_the_server_asked_within_five_minutes(
    retry_after: float | None, gap: float
) -> None:
    pace = FollowPace(2.0)
    assert pace.failed(RateLimitError("slow down", retry_after=retry_after)) == gap


@pytest.mark.parametrize(
    "error",
    [
        NotFoundError("gone"),
        JobDeletedError("deleted", gone=True),
        AuthError("bad key"),
        BadResponseError("not JSON"),
    ],
)
def test_errors_that_asking_again_cannot_fix_stop_following(error: ReductoError) -> None:
    pace = FollowPace(2.0)
    assert pace.failed(error) is None
    assert pace.answered(changed=False) == 3.0, "the pace itself is untouched"
