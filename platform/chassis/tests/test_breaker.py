"""`DependencyBreaker` and the two `circuitbreaker` internals it relies on, pinned.

`_breaker.py` is the one module that touches the library; if an upgrade changes
`CircuitBreaker.__exit__` (the verdict of one call) or `_opened` (when it opened),
these tests fail before any service sees a breaker that never opens.
"""

from __future__ import annotations

import time
from importlib.metadata import version

import circuitbreaker
import pytest
from slipway_chassis._breaker import DependencyBreaker


def _counts_value_errors(_exc_type: type[BaseException], exc: BaseException) -> bool:
    return isinstance(exc, ValueError)


def test_library_exit_records_the_verdict_and_opened_is_monotonic() -> None:
    # The library's own object, as _breaker.py drives it.
    lib = circuitbreaker.CircuitBreaker(
        failure_threshold=2, recovery_timeout=30, expected_exception=_counts_value_errors
    )
    failure = ValueError("down")
    assert lib.__exit__(ValueError, failure, None) is False  # never swallows the error
    assert (lib.state, lib.failure_count) == ("closed", 1)
    lib.__exit__(KeyError, KeyError("a 'no'"), None)  # not counted: a success, resets
    assert (lib.state, lib.failure_count) == ("closed", 0)
    before = time.monotonic()
    lib.__exit__(ValueError, failure, None)
    lib.__exit__(ValueError, failure, None)
    after = time.monotonic()
    assert lib.state == "open"
    assert isinstance(lib._opened, float)
    assert before <= lib._opened <= after  # time.monotonic() when it opened
    lib.__exit__(None, None, None)
    assert (lib.state, lib.failure_count) == ("closed", 0)


def test_library_version_is_the_one_pinned_above() -> None:
    major = int(version("circuitbreaker").split(".")[0])
    assert major == 2, (
        f"circuitbreaker {version('circuitbreaker')}: re-check the internals "
        "_breaker.py uses (__exit__, _opened), then update this test"
    )


def test_breaker_opens_after_threshold_then_half_opens_and_closes() -> None:
    breaker = DependencyBreaker("pin-db", 2, 0.2, _counts_value_errors)
    breaker.record(ValueError("refused"))
    assert breaker.observe_state() == "closed"
    breaker.record(ValueError("refused"))
    assert breaker.observe_state() == "open"
    assert 0.0 < breaker.remaining_seconds() <= 0.2
    while breaker.state == "open":  # the breaker's own clock, not a guessed sleep
        time.sleep(0.02)
    assert breaker.observe_state() == "half_open"
    assert breaker.remaining_seconds() == 0.0
    breaker.record(None)
    assert (breaker.observe_state(), breaker.failure_count) == ("closed", 0)


def test_an_uncounted_error_resets_the_count() -> None:
    breaker = DependencyBreaker("pin-cache", 2, 30, _counts_value_errors)
    breaker.record(ValueError("refused"))
    breaker.record(KeyError("unique violation"))
    breaker.record(ValueError("refused"))
    assert (breaker.state, breaker.failure_count) == ("closed", 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", 1, 1.0), "dependency: must name"),
        (("db", 0, 1.0), "failure_threshold: must be >= 1"),
        (("db", 1, 0.0), "recovery_timeout: must be > 0"),
    ],
)
def test_bad_settings_are_refused(args: tuple[str, int, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DependencyBreaker(*args, _counts_value_errors)
