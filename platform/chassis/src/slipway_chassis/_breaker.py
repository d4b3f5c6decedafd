"""One dependency's circuit breaker state: the only module that touches `circuitbreaker`.

`DependencyBreaker` wraps the library's `CircuitBreaker` (failure counting, the
open -> half-open clock) and adds what the chassis needs on top: the state as a
metric, a log line per state change, and the seconds until a trial call.

The library is used through two of its internals, here and nowhere else, because
its public API only offers a decorator or a `with` block around a synchronous
verdict, while the chassis must record a verdict after classifying the error:

- `CircuitBreaker.__exit__(type, exc, tb)` records one call: a failure when its
  `expected_exception` predicate says so, otherwise a success (a reset);
- `CircuitBreaker._opened` is the monotonic time the breaker opened; the public
  `open_remaining` rounds to whole seconds, and Retry-After wants the float.

`tests/test_breaker.py` pins both behaviours of the installed library version.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from circuitbreaker import CircuitBreaker

from slipway_chassis._logs import get_logger
from slipway_chassis._metrics import set_breaker_state

_log = get_logger("slipway_chassis._resilience")  # the logger name operators already filter on

FailurePredicate = Callable[[type[BaseException], BaseException], bool]


class DependencyBreaker:
    """A circuit breaker for one dependency that exports and logs its state."""

    def __init__(
        self,
        dependency: str,
        failure_threshold: int,
        recovery_timeout: float,
        is_failure: FailurePredicate,
    ) -> None:
        if not dependency:
            raise ValueError("dependency: must name the dependency (e.g. 'database')")
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold: must be >= 1, got {failure_threshold}")
        if recovery_timeout <= 0:
            raise ValueError(f"recovery_timeout: must be > 0 seconds, got {recovery_timeout}")
        self.dependency = dependency
        self.recovery_timeout = recovery_timeout
        self._breaker = CircuitBreaker(
            failure_threshold=failure_threshold,
            recovery_timeout=recovery_timeout,
            expected_exception=is_failure,
            name=f"dependency:{dependency}",
        )
        self._last_state = "closed"
        set_breaker_state(dependency, "closed")

    @property
    def state(self) -> str:
        """`closed`, `half_open` or `open` (the breaker turns half-open lazily)."""
        state: str = self._breaker.state
        return state

    @property
    def failure_count(self) -> int:
        count: int = self._breaker.failure_count
        return count

    def record(self, exc: BaseException | None) -> None:
        """Record one finished call: `None` or an error the predicate does not count
        is a success (resets the count), a counted error is a failure."""
        if exc is None:
            self._breaker.__exit__(None, None, None)
        else:
            self._breaker.__exit__(type(exc), exc, exc.__traceback__)

    def remaining_seconds(self) -> float:
        """Seconds until the open breaker lets a trial call through."""
        opened: float = self._breaker._opened  # one of the two internals (docstring)
        return max(0.0, opened + self.recovery_timeout - time.monotonic())

    def observe_state(self) -> str:
        """Publish the current state; log when it changed since the last look."""
        state = self.state
        if state != self._last_state:
            _log.warning(
                "circuit breaker state changed",
                dependency=self.dependency,
                previous=self._last_state,
                state=state,
                failures=self.failure_count,
            )
            self._last_state = state
            set_breaker_state(self.dependency, state)
        return state
