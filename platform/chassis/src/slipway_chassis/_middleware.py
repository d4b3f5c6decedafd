"""The chassis' single pure-ASGI middleware: probes, /metrics, limits, span, RED metrics, logs.

One layer instead of three: every extra ASGI layer wraps `send` once more, and
`BaseHTTPMiddleware` would cost ~120 µs per request (README.md "Design notes"). Each concern
lives in its own module (tracing, metrics, logs); this class only sequences
them and can switch each off (the benchmark measures them one by one).

Probe and metrics paths are answered first, before any tracing or metrics.

It also owns the request-level limits (a body over `max_request_body_bytes` ->
413 while it streams in, or at once from its Content-Length; too many or too large headers
-> 431, more than
`max_concurrent_requests` in flight -> 503 + Retry-After instead of queueing),
`Connection: close` on every response once shutdown began (clients stop reusing
a connection the server is about to close), and the last word on unexpected
exceptions: logged once, answered 500 problem+json, not re-raised, so uvicorn
keeps the keep-alive connection usable. An unexpected exception that means a
dependency is unavailable (`outages.is_outage`, e.g. a call made outside any
`dependency_breaker`) is answered 503 + Retry-After instead: never a 500 for an outage.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from opentelemetry.trace import Tracer
from starlette.exceptions import HTTPException

from slipway_chassis._asgi import ASGIApp, ASGIReceive, ASGISend
from slipway_chassis._health import (
    HEALTH_PATHS,
    METRICS_PATH,
    HealthState,
    respond_probe,
    send_bytes,
)
from slipway_chassis._logs import get_logger
from slipway_chassis._metrics import (
    METRICS_CONTENT_TYPE,
    UNMATCHED_ROUTE,
    RequestMetrics,
    render_metrics,
)
from slipway_chassis._outages import is_outage
from slipway_chassis._problems import PROBLEM_JSON, problem_body
from slipway_chassis._tracing import ServerSpan

_access_log = get_logger("access")
_error_log = get_logger("slipway_chassis.errors")
_METRICS_TYPE = METRICS_CONTENT_TYPE.encode()
_PROBLEM_TYPE = PROBLEM_JSON.encode()
_CONNECTION_CLOSE = (b"connection", b"close")
_RETRY_AFTER = [(b"retry-after", b"1")]


@dataclass
class Telemetry:
    """What the middleware records; `tracer` is set at lifespan start-up (after any fork)."""

    tracer: Tracer | None = None
    metrics: RequestMetrics | None = None
    access_log: bool = True
    expose_metrics: bool = True


@dataclass(frozen=True)
class RequestLimits:
    """The request-level limits the middleware enforces (settings: MAX_REQUEST_*)."""

    max_request_body_bytes: int = 1 << 20
    max_request_headers: int = 100
    max_request_header_bytes: int = 16 << 10
    max_concurrent_requests: int = 100


def route_template(scope: dict[str, Any]) -> str:
    """The matched route's template (`/items/{item_id}`), never the raw path."""
    route = scope.get("route")
    if route is None:
        return UNMATCHED_ROUTE
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return f"{scope.get('root_path', '')}{template}" if template else UNMATCHED_ROUTE


class ChassisMiddleware:
    """Pure ASGI middleware; `telemetry` and `health` are shared with the app's lifespan."""

    def __init__(
        self,
        app: ASGIApp,
        telemetry: Telemetry,
        health: HealthState,
        limits: RequestLimits | None = None,
    ) -> None:
        if not callable(app):
            raise TypeError("ChassisMiddleware(app=...): app must be an ASGI callable")
        self.app = app
        self.telemetry = telemetry
        self.health = health
        self.limits = limits or RequestLimits()
        self.in_flight = 0  # requests past the probes, for max_concurrent_requests

    async def __call__(self, scope: dict[str, Any], receive: ASGIReceive, send: ASGISend) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        telemetry = self.telemetry
        if self.health.shutting_down:
            send = _closing(send)
        if path in HEALTH_PATHS:
            await respond_probe(self.health, path, send)
            return
        if path == METRICS_PATH and telemetry.expose_metrics:
            await send_bytes(send, 200, render_metrics(), _METRICS_TYPE)
            return
        await self._instrumented(scope, receive, send, telemetry)

    async def _instrumented(
        self, scope: dict[str, Any], receive: ASGIReceive, send: ASGISend, telemetry: Telemetry
    ) -> None:
        started = time.perf_counter()
        metrics = telemetry.metrics
        span = ServerSpan(telemetry.tracer, scope) if telemetry.tracer is not None else None
        response = _ResponseWatch(send)
        error: BaseException | None = None
        log_error = True
        if metrics is not None:
            metrics.in_flight.inc()
        self.in_flight += 1
        try:
            limits = self.limits
            rejected = await _reject_over_limits(self.in_flight, scope, send, limits)
            if rejected is not None:
                response.status = rejected
            else:
                limited = _limit_body(receive, limits.max_request_body_bytes)
                await self.app(scope, limited, response.send)
        except Exception as exc:
            error = exc
            if response.started and not response.complete:
                # Half a response is out: only closing the connection can end it, and
                # uvicorn does that (and logs the exception) when it sees it.
                log_error = False
                raise
            status = 503 if is_outage(exc) else 500
            if not response.started:
                if status == 503:
                    detail, extra = "a dependency is unavailable", _RETRY_AFTER
                else:
                    detail, extra = "unexpected error", None
                await _send_problem(send, status, detail, extra, instance=scope["path"])
            response.status = status
        except BaseException as exc:  # cancellation: the client or the server gave up
            error = exc
            log_error = False
            response.status = 500
            raise
        finally:
            self.in_flight -= 1
            _record(
                scope,
                telemetry,
                span=span,
                status=response.status,
                started=started,
                error=error,
                log_error=log_error,
            )


class _ResponseWatch:
    """Wraps `send`: the response's status, whether it started and whether it ended."""

    __slots__ = ("_send", "complete", "started", "status")

    def __init__(self, send: ASGISend) -> None:
        self._send = send
        self.status = 500
        self.started = False
        self.complete = False

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.started = True
        elif not message.get("more_body", False):
            self.complete = True
        await self._send(message)


def _record(
    scope: dict[str, Any],
    telemetry: Telemetry,
    *,
    span: ServerSpan | None,
    status: int,
    started: float,
    error: BaseException | None,
    log_error: bool,
) -> None:
    """Error log (once), access log, RED metrics and the span's end for one request."""
    duration = time.perf_counter() - started
    route = route_template(scope)
    method = scope["method"]
    if error is not None and log_error:
        # One line per failed request, as JSON with the trace_id; an outage is a warning.
        _error_log.log(
            logging.WARNING if status == 503 else logging.ERROR,
            "dependency unavailable" if status == 503 else "unhandled exception",
            method=method,
            route=route,
            exc_info=(type(error), error, error.__traceback__),
        )
    # Order matters: the error and access log lines must be written before
    # `span.finish` below, while the request's span is still current, so that they
    # carry its trace_id/span_id (_logs.py reads them from the current span).
    if telemetry.access_log:
        _access_log.info(
            "request",
            method=method,
            route=route,
            status=status,
            duration_ms=round(duration * 1000, 3),
        )
    metrics = telemetry.metrics
    if metrics is not None:
        metrics.observe(method, route, status, duration)
        metrics.in_flight.dec()
    if span is not None:
        span.finish(route, status, error)


def _closing(send: ASGISend) -> ASGISend:
    """`send` that adds `Connection: close` to the response head (shutdown began)."""

    async def send_closing(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            headers = [h for h in message.get("headers", ()) if h[0].lower() != b"connection"]
            message = {**message, "headers": [*headers, _CONNECTION_CLOSE]}
        await send(message)

    return send_closing


async def _send_problem(
    send: ASGISend,
    status: int,
    detail: str,
    extra: list[Any] | None = None,
    instance: str | None = None,
) -> None:
    body = problem_body(status, detail, instance=instance)
    await send_bytes(send, status, body, _PROBLEM_TYPE, extra)


class RequestBodyTooLargeError(HTTPException):
    """The streamed body passed `MAX_REQUEST_BODY_BYTES` (rendered 413 by _problems.py)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"request body larger than {limit} bytes (MAX_REQUEST_BODY_BYTES)",
            headers={"Connection": "close"},  # the rest of the body is not read
        )


async def _reject_over_limits(
    in_flight: int, scope: dict[str, Any], send: ASGISend, limits: RequestLimits
) -> int | None:
    """Answer a request over a limit (503/431/413 problem+json); its status, else None."""
    if in_flight > limits.max_concurrent_requests:
        await _send_problem(send, 503, "server at its concurrency limit", _RETRY_AFTER)
        return 503
    headers = scope["headers"]
    if len(headers) > limits.max_request_headers:
        detail = f"more than {limits.max_request_headers} request headers (MAX_REQUEST_HEADERS)"
        await _send_problem(send, 431, detail, [_CONNECTION_CLOSE])
        return 431
    # serve()'s protocol stops an oversized head while parsing; this covers the app run
    # by any other server (uvicorn's CLI, gunicorn workers, tests).
    if sum(len(n) + len(v) + 4 for n, v in headers) > limits.max_request_header_bytes:
        detail = (
            f"request headers larger than {limits.max_request_header_bytes} bytes "
            "(MAX_REQUEST_HEADER_BYTES)"
        )
        await _send_problem(send, 431, detail, [_CONNECTION_CLOSE])
        return 431
    if _declared_length(scope) > limits.max_request_body_bytes:
        detail = (
            f"request body larger than {limits.max_request_body_bytes} bytes "
            "(MAX_REQUEST_BODY_BYTES)"
        )
        await _send_problem(send, 413, detail, [_CONNECTION_CLOSE])
        return 413
    return None


def _declared_length(scope: dict[str, Any]) -> int:
    """The request's Content-Length (0 when absent or unreadable: the stream is counted)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _limit_body(receive: ASGIReceive, limit: int) -> ASGIReceive:
    """`receive` that raises `RequestBodyTooLargeError` once more than `limit` bytes came.

    Hand-written, not Starlette's RequestBodyLimitMiddleware: that one answers
    text/plain and would be a second ASGI layer.
    """
    received = 0

    async def limited() -> dict[str, Any]:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise RequestBodyTooLargeError(limit)
        return message

    return limited
