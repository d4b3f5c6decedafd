"""Outbound HTTP with timeouts, bounded jittered retries and a circuit breaker per dependency.

`resilient_client(settings, dependency="payments", base_url=...)` returns an
`httpx.AsyncClient` whose transport:

- retries only idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE), only on
  connection errors, timeouts and 502/503/504, at most `retries` times, with
  full-jitter exponential backoff (AWS architecture blog: "Exponential Backoff
  And Jitter") so synchronized clients do not stampede a recovering server;
- counts a call that still failed after its retries as one breaker failure
  (the same `DependencyCircuit.guard()` as `dependency_breaker`); after
  `failure_threshold` consecutive failures the breaker opens and calls fail
  fast with `CircuitOpenError` (mapped to 503 + Retry-After by `create_app`)
  until `recovery_timeout` passed, then one trial call goes through (half-open)
  and closes it again on success;
- records `dependency_requests_total{dependency,outcome}`,
  `dependency_request_duration_seconds{dependency}` and
  `circuit_breaker_state{dependency}`, and logs every state change.

The client is instrumented with opentelemetry-instrumentation-httpx: a CLIENT
span per request and W3C `traceparent` injected into outgoing headers.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx

from slipway_chassis._circuits import (
    CircuitOpenError,
    DependencyCircuit,
    DependencyUnavailableError,
)
from slipway_chassis._settings import ServiceSettings

__all__ = [
    "IDEMPOTENT_METHODS",
    "RETRYABLE_STATUS",
    "CircuitOpenError",  # re-exported: they were defined here first
    "DependencyUnavailableError",
    "ResilientTransport",
    "resilient_client",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
RETRYABLE_STATUS = frozenset({502, 503, 504})


class _DependencyFailureError(Exception):
    """Internal: a response that counts as a failure for the breaker (5xx after retries)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        super().__init__(f"HTTP {response.status_code}")


def http_circuit(
    dependency: str, failure_threshold: int, recovery_timeout_seconds: float
) -> DependencyCircuit:
    """The breaker of one HTTP dependency: the same guard as `dependency_breaker`, with
    httpx's errors (not `DependencyUnavailableError`) reaching the caller, no time
    limit of its own (httpx's timeouts apply) and no span of its own (the httpx
    instrumentation makes one per request)."""
    return DependencyCircuit(
        dependency,
        failure_exceptions=(httpx.TransportError, _DependencyFailureError),
        timeout_exceptions=(httpx.TimeoutException,),
        timeout_seconds=None,
        failure_threshold=failure_threshold,
        recovery_timeout_seconds=recovery_timeout_seconds,
        raises_unavailable=False,
        traces=False,
    )


class ResilientTransport(httpx.AsyncBaseTransport):
    """Retries, breaker and dependency metrics around another httpx transport."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        circuit: DependencyCircuit,
        *,
        retries: int = 2,
        backoff_base_seconds: float = 0.05,
        backoff_max_seconds: float = 1.0,
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries: must be >= 0, got {retries}")
        self.inner = inner
        self.circuit = circuit
        self.retries = retries
        self.backoff_base = backoff_base_seconds
        self.backoff_max = backoff_max_seconds

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
        """Send `request` through the breaker with retries; the guard records the outcome."""
        try:
            async with self.circuit.guard() as call:
                call.outcome = "error"  # unless a response arrives below
                response = await self._attempts(request)
                call.outcome = "success" if response.status_code < 500 else "error"
                return response
        except _DependencyFailureError as failure:
            return failure.response  # the caller sees the real 5xx response

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
    circuit = http_circuit(dependency, failure_threshold, recovery_timeout_seconds)
    transport = ResilientTransport(httpx.AsyncHTTPTransport(), circuit, retries=retries)
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
