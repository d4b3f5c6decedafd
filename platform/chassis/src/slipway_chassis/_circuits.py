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
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, ParamSpec, TypeVar

from slipway_chassis._breaker import DependencyBreaker
from slipway_chassis._metrics import DEPENDENCY_DURATION, DEPENDENCY_REQUESTS
from slipway_chassis._outages import is_outage
from slipway_chassis._tracing import DependencySpan

P = ParamSpec("P")
T = TypeVar("T")

# Failures of the network itself, whatever the client library: refused or reset
# connections, unresolvable hosts (socket.gaierror) are all OSError.
DEFAULT_FAILURE_EXCEPTIONS: tuple[type[BaseException], ...] = (OSError, TimeoutError)


class DependencyUnavailableError(RuntimeError):
    """A call to a dependency failed because it is unavailable (an outage, not a "no").

    Raised by `DependencyCircuit.guard()` from the library's own error (`__cause__`);
    `create_app` maps it to `503 Service Unavailable` with `Retry-After`.
    """

    def __init__(self, dependency: str, retry_after_seconds: float, reason: str = "") -> None:
        self.dependency = dependency
        self.retry_after_seconds = max(0.0, retry_after_seconds)
        super().__init__(
            reason
            or f"dependency {dependency!r} unavailable; retry in "
            f"{math.ceil(self.retry_after_seconds)}s"
        )


class CircuitOpenError(DependencyUnavailableError):
    """A dependency's circuit breaker is open: the call was not attempted.

    `create_app` maps it to `503 Service Unavailable` with `Retry-After`.
    """

    def __init__(self, dependency: str, retry_after_seconds: float) -> None:
        retry = max(0.0, retry_after_seconds)
        super().__init__(
            dependency,
            retry,
            f"circuit breaker for dependency {dependency!r} is open: failing fast; "
            f"next attempt in {math.ceil(retry)}s",
        )


class DependencyCall:
    """What `guard()` yields: the body may set `outcome` ("success" or "error") for a
    call that returned normally or raised an error the breaker does not count (the
    HTTP transport marks a 5xx response "error"). Counted failures set it themselves."""

    __slots__ = ("outcome",)

    def __init__(self) -> None:
        self.outcome = "success"


class DependencyCircuit:
    """One dependency's breaker, shared by every call to it (create it once, reuse it).

    The one guard for every dependency call: `dependency_breaker` builds one for a
    database/cache/broker, `resilient_client`'s transport one for HTTP with
    `raises_unavailable=False` (httpx callers keep httpx's errors) and
    `traces=False` (opentelemetry-instrumentation-httpx makes the HTTP spans).
    """

    def __init__(
        self,
        dependency: str,
        *,
        failure_exceptions: tuple[type[BaseException], ...],
        timeout_exceptions: tuple[type[BaseException], ...] = (TimeoutError,),
        timeout_seconds: float | None,
        failure_threshold: int,
        recovery_timeout_seconds: float,
        raises_unavailable: bool = True,
        traces: bool = True,
    ) -> None:
        self.failure_exceptions = failure_exceptions
        self.timeout_exceptions = timeout_exceptions
        self.timeout_seconds = timeout_seconds
        self.raises_unavailable = raises_unavailable
        self.traces = traces
        self.breaker = DependencyBreaker(
            dependency, failure_threshold, recovery_timeout_seconds, self.is_failure
        )
        self._outcomes = {
            o: DEPENDENCY_REQUESTS.labels(dependency, o)
            for o in ("success", "error", "timeout", "circuit_open")
        }
        self._duration = DEPENDENCY_DURATION.labels(dependency)

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
    async def guard(self, operation: str | None = None) -> AsyncIterator[DependencyCall]:
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
        call = DependencyCall()
        started = time.perf_counter()
        outcome: str | None = None
        failure: BaseException | None = None
        span = DependencySpan.start(breaker.dependency, operation) if self.traces else None
        try:
            async with asyncio.timeout(self.timeout_seconds):
                yield call
        except asyncio.CancelledError:
            # The caller gave up (shutdown, a readiness probe's own timeout): no verdict
            # on the dependency. Keep call timeouts below the caller's to count them.
            raise
        except BaseException as exc:
            failure = exc
            counted = self.is_failure(type(exc), exc)
            if isinstance(exc, self.timeout_exceptions):
                outcome = "timeout"
            elif counted:
                outcome = "error"
            else:
                outcome = call.outcome
            # The breaker's verdict: failures count, anything else resets it.
            breaker.record(exc)
            if not counted or not self.raises_unavailable:
                raise
            if isinstance(exc, DependencyUnavailableError):
                raise
            retry_after = breaker.remaining_seconds() if breaker.state == "open" else 1.0
            raise DependencyUnavailableError(
                breaker.dependency,
                retry_after,
                f"dependency {breaker.dependency!r} unavailable: {type(exc).__name__}: {exc}",
            ) from exc
        else:
            outcome = call.outcome
            breaker.record(None)
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
    return DependencyCircuit(
        dependency,
        failure_exceptions=(*failure_exceptions, TimeoutError),
        timeout_seconds=timeout_seconds,
        failure_threshold=failure_threshold,
        recovery_timeout_seconds=recovery_timeout_seconds,
    )
