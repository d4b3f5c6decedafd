"""The one poll-until loop: observed on a fake clock, so every count below is exact."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from slipway_contract import waiting
from slipway_contract.waiting import WaitTimeoutError, poll, wait_until


class FakeClock:
    """Stands in for the `time` module in waiting: sleeping advances the clock, no real wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(waiting, "time", fake)
    return fake


def _sequence(*values: object) -> Callable[[], object]:
    items: Iterator[object] = iter(values)
    return lambda: next(items)


def test_returns_the_observation_that_met_the_condition(clock: FakeClock) -> None:
    observe = _sequence(503, 503, 200)
    assert wait_until(observe, what="ready", until=lambda s: s == 200, timeout=10) == 200
    assert clock.sleeps == [0.5, 0.5]


def test_a_condition_already_true_does_not_sleep(clock: FakeClock) -> None:
    assert poll(lambda: [1], timeout=5) == waiting.Polled(True, [1], 1)
    assert clock.sleeps == []


def test_timeout_names_what_was_awaited_and_the_last_observation(clock: FakeClock) -> None:
    statuses = iter(range(100))
    with pytest.raises(WaitTimeoutError) as caught:
        wait_until(
            lambda: f"HTTP {next(statuses)}",
            what="/livez answering 200",
            until=lambda last: last == "HTTP 200",
            timeout=2,
        )
    # Observed at 0, 0.5, 1.0, 1.5 and at the deadline (2.0): five observations.
    assert str(caught.value) == "/livez answering 200: not reached within 2 s (last: HTTP 4)"
    assert caught.value.last == "HTTP 4"
    assert isinstance(caught.value, TimeoutError)


def test_the_last_sleep_is_cut_to_the_deadline_and_observed_there(clock: FakeClock) -> None:
    polled = poll(lambda: False, timeout=3, interval=10)
    assert polled == waiting.Polled(False, False, 2)
    assert clock.sleeps == [3]  # not 10: no time spent past the deadline


def test_zero_timeout_observes_exactly_once(clock: FakeClock) -> None:
    assert poll(lambda: 0, timeout=0).observations == 1
    assert clock.sleeps == []


def test_an_error_raised_while_observing_ends_the_wait(clock: FakeClock) -> None:
    def observe() -> int:
        raise RuntimeError("the process exited")

    with pytest.raises(RuntimeError, match="the process exited"):
        wait_until(observe, what="ready", timeout=10)
    assert clock.sleeps == []


def test_negative_timeout_or_interval_is_refused(clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        poll(lambda: True, timeout=-1)
    with pytest.raises(ValueError, match="must not be negative"):
        poll(lambda: True, timeout=1, interval=-0.1)


def test_real_clock_polls_until_true() -> None:
    # The real time module, a short interval: the loop works without the fake.
    observe = _sequence(False, False, True)
    assert poll(observe, timeout=30, interval=0.01) == waiting.Polled(True, True, 3)
