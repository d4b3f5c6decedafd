"""The chassis' single pure-ASGI middleware: probes, /metrics, span, RED metrics, access log.

One layer instead of three: every extra ASGI layer wraps `send` once more, and
`BaseHTTPMiddleware` would cost ~120 µs per request (OPERATIONS.md). Each concern
lives in its own module (tracing, metrics, logs); this class only sequences
them and can switch each off (the benchmark measures them one by one).

Probe and metrics paths are answered first, before any tracing or metrics.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.trace import Tracer

from slipway_chassis.health import (
    METRICS_PATH,
    PROBE_PATHS,
    ASGIReceive,
    ASGISend,
    HealthState,
    respond_probe,
    send_bytes,
)
from slipway_chassis.logs import get_logger
from slipway_chassis.metrics import (
    METRICS_CONTENT_TYPE,
    UNMATCHED_ROUTE,
    RequestMetrics,
    render_metrics,
)
from slipway_chassis.tracing import ServerSpan

ASGIApp = Any  # Starlette's ASGIApp; kept loose so any ASGI callable can be wrapped

_access_log = get_logger("access")
_error_log = get_logger("slipway_chassis.errors")
_METRICS_TYPE = METRICS_CONTENT_TYPE.encode()


@dataclass
class Telemetry:
    """What the middleware records; filled in at lifespan start-up (after any fork)."""

    tracer: Tracer | None = None
    metrics: RequestMetrics | None = None
    access_log: bool = True
    expose_metrics: bool = True
    health: HealthState = field(default_factory=HealthState)


def route_template(scope: dict[str, Any]) -> str:
    """The matched route's template (`/items/{item_id}`), never the raw path."""
    route = scope.get("route")
    if route is None:
        return UNMATCHED_ROUTE
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return f"{scope.get('root_path', '')}{template}" if template else UNMATCHED_ROUTE


class ChassisMiddleware:
    """Pure ASGI middleware; `telemetry` is shared with the app's lifespan."""

    def __init__(self, app: ASGIApp, telemetry: Telemetry) -> None:
        if not callable(app):
            raise TypeError("ChassisMiddleware(app=...): app must be an ASGI callable")
        self.app = app
        self.telemetry = telemetry

    async def __call__(self, scope: dict[str, Any], receive: ASGIReceive, send: ASGISend) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        telemetry = self.telemetry
        if path in PROBE_PATHS:
            await respond_probe(telemetry.health, path, send)
            return
        if path == METRICS_PATH and telemetry.expose_metrics:
            await send_bytes(send, 200, render_metrics(), _METRICS_TYPE)
            return
        await self._instrumented(scope, receive, send, telemetry)

    async def _instrumented(
        self, scope: dict[str, Any], receive: ASGIReceive, send: ASGISend, telemetry: Telemetry
    ) -> None:
        started = time.perf_counter()
        status = 500
        metrics = telemetry.metrics
        span = ServerSpan(telemetry.tracer, scope) if telemetry.tracer is not None else None

        async def send_with_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        error: BaseException | None = None
        if metrics is not None:
            metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_with_status)
        except BaseException as exc:
            error = exc
            status = 500
            raise
        finally:
            duration = time.perf_counter() - started
            route = route_template(scope)
            method = scope["method"]
            if error is not None and isinstance(error, Exception):
                _error_log.error(
                    "unhandled exception",
                    method=method,
                    route=route,
                    exc_info=(type(error), error, error.__traceback__),
                )
            if telemetry.access_log:
                _access_log.info(
                    "request",
                    method=method,
                    route=route,
                    status=status,
                    duration_ms=round(duration * 1000, 3),
                )
            if metrics is not None:
                metrics.observe(method, route, status, duration)
                metrics.in_flight.dec()
            if span is not None:
                span.finish(route, status, error)
