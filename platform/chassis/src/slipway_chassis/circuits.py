"""Any async dependency call (database, cache, broker) behind a per-dependency circuit breaker.

`resilient_client` guards outbound HTTP; this module gives every other
dependency the same breaker, metrics and logs:

    database = dependency_breaker("database", failure_exceptions=(OSError, OperationalError))

    async with database.guard():  # CircuitOpenError (-> 503 + Retry-After) when open
        await session.execute(...)

    @database                     # or as a decorator on an async function
    async def ping() -> None: ...

Only the `failure_exceptions`, `TimeoutError` (raised when a call outlives
`timeout_seconds`) and every error `outages.is_outage` recognises (shutting down,
starting up, refused/reset connections, pool timeouts, admin termination, for
PostgreSQL, RabbitMQ and Redis) count against the dependency. Such a failure
leaves `guard()` as `DependencyUnavailableError` (the library's error is its
`__cause__`), which `create_app` answers 503 + Retry-After, never 500. An
application error such as a unique-key violation means the dependency answered:
it propagates unchanged and closes the breaker like a success. Each call records
`dependency_requests_total{dependency,outcome}` and
`dependency_request_duration_seconds{dependency}`; `circuit_breaker_state`
and a log line follow every state change (`DependencyBreaker`).

There is no retry here on purpose: whether a database statement may be repeated
is the caller's decision (transactions), unlike idempotent HTTP methods.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, ParamSpec, TypeVar

from slipway_chassis.metrics import DEPENDENCY_DURATION, DEPENDENCY_REQUESTS
from slipway_chassis.outages import is_outage
from slipway_chassis.resilience import (
    CircuitOpenError,
    DependencyBreaker,
    DependencyUnavailableError,
)
from slipway_chassis.tracing import DependencySpan

P = ParamSpec("P")
T = TypeVar("T")

# Failures of the network itself, whatever the client library: refused or reset
# connections, unresolvable hosts (socket.gaierror) are all OSError.
DEFAULT_FAILURE_EXCEPTIONS: tuple[type[BaseException], ...] = (OSError, TimeoutError)


class DependencyCircuit:
    """One dependency's breaker, shared by every call to it (create it once, reuse it)."""

    def __init__(
        self,
        breaker: DependencyBreaker,
        failure_exceptions: tuple[type[BaseException], ...],
        timeout_seconds: float | None,
    ) -> None:
        self.breaker = breaker
        self.failure_exceptions = failure_exceptions
        self.timeout_seconds = timeout_seconds
        dep = breaker.dependency
        self._outcomes = {
            o: DEPENDENCY_REQUESTS.labels(dep, o)
            for o in ("success", "error", "timeout", "circuit_open")
        }
        self._duration = DEPENDENCY_DURATION.labels(dep)

    def is_failure(self, _exc_type: type[BaseException], exc: BaseException) -> bool:
        """Whether `exc` counts against the dependency (the breaker's predicate)."""
        return isinstance(exc, self.failure_exceptions) or is_outage(exc)

    @property
    def dependency(self) -> str:
        return self.breaker.dependency

    @property
    def state(self) -> str:
        """`closed`, `half_open` or `open`; publishes it (and logs a change)."""
        return self.breaker.observe_state()

    @asynccontextmanager
    async def guard(self, operation: str | None = None) -> AsyncIterator[None]:
        """Run the `async with` body as one call to the dependency.

        When the current request is traced, the call is a CLIENT child span named
        `<dependency> <operation>` (`operation`, e.g. "SELECT items", is optional).

        Raises `CircuitOpenError` without running the body while the breaker is open,
        `DependencyUnavailableError` (from the original error) when the call failed
        because the dependency is unavailable.
        """
        breaker = self.breaker
        if breaker.observe_state() == "open":
            self._outcomes["circuit_open"].inc()
            raise CircuitOpenError(breaker.dependency, breaker.remaining_seconds())
        started = time.perf_counter()
        outcome: str | None = "success"
        failure: BaseException | None = None
        span = DependencySpan.start(breaker.dependency, operation)
        try:
            async with asyncio.timeout(self.timeout_seconds):
                yield
        except asyncio.CancelledError:
            # The caller gave up (shutdown, a readiness probe's own timeout): no verdict
            # on the dependency. Keep call timeouts below the caller's to count them.
            outcome = None
            raise
        except BaseException as exc:
            failure = exc
            if isinstance(exc, TimeoutError):
                outcome = "timeout"
            elif self.is_failure(type(exc), exc):
                outcome = "error"
            # The breaker's verdict: failures count, anything else resets it.
            breaker.breaker.__exit__(type(exc), exc, exc.__traceback__)
            if outcome == "success" or isinstance(exc, DependencyUnavailableError):
                raise
            retry_after = breaker.remaining_seconds() if breaker.state == "open" else 1.0
            raise DependencyUnavailableError(
                breaker.dependency,
                retry_after,
                f"dependency {breaker.dependency!r} unavailable: {type(exc).__name__}: {exc}",
            ) from exc
        else:
            breaker.breaker.__exit__(None, None, None)
        finally:
            if outcome is not None:
                self._duration.observe(time.perf_counter() - started)
                self._outcomes[outcome].inc()
            if span is not None:
                span.finish(outcome or "cancelled", failure)
            breaker.observe_state()

    async def call(self, fn: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        """`await fn(*args, **kwargs)` as one guarded call."""
        async with self.guard():
            return await fn(*args, **kwargs)

    def __call__(self, fn: Callable[P, Awaitable[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
        """Decorate an async function so that every call to it is guarded."""

        @functools.wraps(fn)
        async def guarded(*args: P.args, **kwargs: P.kwargs) -> T:
            async with self.guard():
                return await fn(*args, **kwargs)

        return guarded


def dependency_breaker(
    dependency: str,
    *,
    failure_exceptions: tuple[type[BaseException], ...] = DEFAULT_FAILURE_EXCEPTIONS,
    timeout_seconds: float | None = 5.0,
    failure_threshold: int = 5,
    recovery_timeout_seconds: float = 30.0,
) -> DependencyCircuit:
    """A circuit breaker for calls to `dependency` (the `dependency` label of its metrics).

    After `failure_threshold` consecutive failed calls it opens: calls fail fast with
    `CircuitOpenError` for `recovery_timeout_seconds`, then one trial call goes
    through (half-open) and a success closes it. `timeout_seconds=None` sets no
    time limit on a call.
    """
    if timeout_seconds is not None and timeout_seconds <= 0:
        raise ValueError(
            f"dependency_breaker({dependency!r}).timeout_seconds: must be > 0 or None, "
            f"got {timeout_seconds}"
        )
    if not failure_exceptions or not all(
        isinstance(e, type) and issubclass(e, BaseException) for e in failure_exceptions
    ):
        raise ValueError(
            f"dependency_breaker({dependency!r}).failure_exceptions: must be a non-empty "
            f"tuple of exception classes, got {failure_exceptions!r}"
        )
    counted = (*failure_exceptions, TimeoutError)

    def is_failure(exc_type: type[BaseException], exc: BaseException) -> bool:
        return circuit.is_failure(exc_type, exc)

    breaker = DependencyBreaker(
        dependency, failure_threshold, recovery_timeout_seconds, expected_exception=is_failure
    )
    circuit = DependencyCircuit(breaker, counted, timeout_seconds)
    return circuit
