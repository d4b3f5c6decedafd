"""Outbound HTTP with timeouts, bounded jittered retries and a circuit breaker per dependency.

`resilient_client(settings, dependency="payments", base_url=...)` returns an
`httpx.AsyncClient` whose transport:

- retries only idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE), only on
  connection errors, timeouts and 502/503/504, at most `retries` times, with
  full-jitter exponential backoff (AWS architecture blog: "Exponential Backoff
  And Jitter") so synchronized clients do not stampede a recovering server;
- counts a call that still failed after its retries as one breaker failure
  (the `circuitbreaker` library); after `failure_threshold` consecutive failures
  the breaker opens and calls fail fast with `CircuitOpenError` (mapped to 503 +
  Retry-After by `create_app`) until `recovery_timeout` passed, then one trial
  call goes through (half-open) and closes it again on success;
- records `dependency_requests_total{dependency,outcome}`,
  `dependency_request_duration_seconds{dependency}` and
  `circuit_breaker_state{dependency}`, and logs every state change.

The client is instrumented with opentelemetry-instrumentation-httpx: a CLIENT
span per request and W3C `traceparent` injected into outgoing headers.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable
from typing import Any

import httpx
from circuitbreaker import CircuitBreaker

from slipway_chassis.logs import get_logger
from slipway_chassis.metrics import (
    DEPENDENCY_DURATION,
    DEPENDENCY_REQUESTS,
    set_breaker_state,
)
from slipway_chassis.settings import ServiceSettings

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
RETRYABLE_STATUS = frozenset({502, 503, 504})

_log = get_logger("slipway_chassis.resilience")


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


class _DependencyFailureError(Exception):
    """Internal: a response that counts as a failure for the breaker (5xx after retries)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        super().__init__(f"HTTP {response.status_code}")


class DependencyBreaker:
    """A circuit breaker for one dependency that exports and logs its state."""

    def __init__(
        self,
        dependency: str,
        failure_threshold: int,
        recovery_timeout: float,
        expected_exception: tuple[type[BaseException], ...]
        | Callable[[type[BaseException], BaseException], bool] = (
            httpx.TransportError,
            _DependencyFailureError,
        ),
    ) -> None:
        if not dependency:
            raise ValueError("dependency: must name the dependency (e.g. 'database')")
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold: must be >= 1, got {failure_threshold}")
        if recovery_timeout <= 0:
            raise ValueError(f"recovery_timeout: must be > 0 seconds, got {recovery_timeout}")
        self.dependency = dependency
        self.recovery_timeout = recovery_timeout
        self.breaker = CircuitBreaker(
            failure_threshold=failure_threshold,
            recovery_timeout=recovery_timeout,
            expected_exception=expected_exception,
            name=f"dependency:{dependency}",
        )
        self._last_state = "closed"
        set_breaker_state(dependency, "closed")

    @property
    def state(self) -> str:
        """`closed`, `half_open` or `open` (the breaker turns half-open lazily)."""
        state: str = self.breaker.state
        return state

    def remaining_seconds(self) -> float:
        """Seconds until the open breaker lets a trial call through."""
        opened: float = self.breaker._opened
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
                failures=self.breaker.failure_count,
            )
            self._last_state = state
            set_breaker_state(self.dependency, state)
        return state


class ResilientTransport(httpx.AsyncBaseTransport):
    """Retries, breaker and dependency metrics around another httpx transport."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        breaker: DependencyBreaker,
        *,
        retries: int = 2,
        backoff_base_seconds: float = 0.05,
        backoff_max_seconds: float = 1.0,
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries: must be >= 0, got {retries}")
        self.inner = inner
        self.breaker = breaker
        self.retries = retries
        self.backoff_base = backoff_base_seconds
        self.backoff_max = backoff_max_seconds
        dep = breaker.dependency
        self._outcomes = {
            o: DEPENDENCY_REQUESTS.labels(dep, o)
            for o in ("success", "error", "timeout", "circuit_open")
        }
        self._duration = DEPENDENCY_DURATION.labels(dep)

    def _backoff(self, attempt: int) -> float:
        # Full jitter; not cryptographic, hence the S311 exemption.
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return random.uniform(0, ceiling)  # noqa: S311

    async def _attempts(self, request: httpx.Request) -> httpx.Response:
        retryable = request.method in IDEMPOTENT_METHODS
        attempt = 0
        while True:
            try:
                response = await self.inner.handle_async_request(request)
            except httpx.TransportError:
                if not retryable or attempt >= self.retries:
                    raise
            else:
                if response.status_code not in RETRYABLE_STATUS:
                    return response
                if not retryable or attempt >= self.retries:
                    await response.aread()
                    raise _DependencyFailureError(response)
                await response.aclose()
            await asyncio.sleep(self._backoff(attempt))
            attempt += 1

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` through the breaker with retries; record the outcome."""
        breaker = self.breaker
        if breaker.observe_state() == "open":
            self._outcomes["circuit_open"].inc()
            raise CircuitOpenError(breaker.dependency, breaker.remaining_seconds())
        started = time.perf_counter()
        outcome = "error"
        try:
            with breaker.breaker:
                response = await self._attempts(request)
            outcome = "success" if response.status_code < 500 else "error"
            return response
        except _DependencyFailureError as failure:
            return failure.response  # the caller sees the real 5xx response
        except httpx.TimeoutException:
            outcome = "timeout"
            raise
        finally:
            self._duration.observe(time.perf_counter() - started)
            self._outcomes[outcome].inc()
            breaker.observe_state()

    async def aclose(self) -> None:
        await self.inner.aclose()


def resilient_client(
    settings: ServiceSettings,
    *,
    dependency: str,
    base_url: str,
    timeout_seconds: float = 5.0,
    connect_timeout_seconds: float = 2.0,
    retries: int = 2,
    failure_threshold: int = 5,
    recovery_timeout_seconds: float = 30.0,
    headers: dict[str, str] | None = None,
    **client_kwargs: Any,
) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` for one downstream `dependency`, with the policies above.

    Close it in your lifespan (`await client.aclose()`). Extra keyword arguments go
    to `httpx.AsyncClient` (e.g. `auth=`).
    """
    if not dependency:
        raise ValueError("resilient_client(dependency=...): must name the downstream service")
    if timeout_seconds <= 0 or connect_timeout_seconds <= 0:
        raise ValueError(
            "resilient_client: timeout_seconds and connect_timeout_seconds must be > 0"
        )
    breaker = DependencyBreaker(dependency, failure_threshold, recovery_timeout_seconds)
    transport = ResilientTransport(httpx.AsyncHTTPTransport(), breaker, retries=retries)
    client = httpx.AsyncClient(
        base_url=base_url,
        transport=transport,
        timeout=httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds),
        headers={
            "user-agent": f"{settings.service_name}/{settings.service_version}",
            **(headers or {}),
        },
        **client_kwargs,
    )
    if settings.tracing_enabled:
        from opentelemetry.instrumentation.httpx import (  # noqa: PLC0415 - optional cost
            HTTPXClientInstrumentor,
        )

        HTTPXClientInstrumentor.instrument_client(client)
    return client
