"""OpenTelemetry tracing: provider set-up, one server span per request, shutdown.

The exporter is OTLP/HTTP, configured by the standard `OTEL_EXPORTER_OTLP_*`
variables (endpoint, headers, timeout, compression). With no endpoint set,
spans still get ids (logs carry `trace_id`) but nothing is exported. Spans go
through a `BatchSpanProcessor`: export runs on its own thread, so the request
path never blocks on a slow or absent collector.

Sampling is parent-based trace-id-ratio (`OTEL_TRACES_SAMPLER_ARG`, defaulted
by profile). Propagation is W3C tracecontext, in (server span) and out (httpx
instrumentation on the clients `resilient_client` makes).

Fork safety: `configure_tracing` runs in the app's lifespan start-up, i.e. in
each worker process after any fork, never at import time; the SDK's batch
processor also re-creates its thread after a fork.

Why not the stock FastAPI/ASGI instrumentors: they cost ~100 µs per request even
when nothing is sampled, and FastAPI >= 0.165 adds its own 4 spans as soon as a
global provider exists. The chassis turns FastAPI's native telemetry off and
owns exactly one SERVER span per request (`server_span`), ~10 µs.

Dependency calls (database, cache, broker) get one CLIENT child span each, made
by the breaker that already wraps every such call (`DependencySpan`, used by
`DependencyCircuit.guard()`): one span per guarded call rather than one per SQL
statement (the SQLAlchemy/asyncpg instrumentations), and nothing at all when the
request is not sampled - the common case at sampling 0.1.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from typing import Any

from opentelemetry import context, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import ProxyTracerProvider, SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from slipway_chassis._settings import ServiceSettings

INSTRUMENTATION_NAME = "slipway_chassis"
_PROPAGATOR = TraceContextTextMapPropagator()
_TRACEPARENT = b"traceparent"
_TRACESTATE = b"tracestate"


def build_resource(settings: ServiceSettings) -> Resource:
    """Resource attributes every span carries (plus any from `OTEL_RESOURCE_ATTRIBUTES`)."""
    return Resource.create(
        {
            "service.name": settings.service_name,
            "service.version": settings.service_version,
            "deployment.environment": str(settings.app_env),
            "deployment.environment.name": str(settings.app_env),
            # Built in the lifespan, i.e. after any fork: tells worker processes apart.
            "process.pid": os.getpid(),
        }
    )


def configure_tracing(settings: ServiceSettings) -> TracerProvider:
    """Create this process' tracer provider; export over OTLP/HTTP if an endpoint is set.

    The provider becomes the global one unless another was set earlier in this
    process (one service per process in production; tests may build several apps).
    """
    provider = TracerProvider(
        resource=build_resource(settings),
        sampler=ParentBased(TraceIdRatioBased(settings.otel_traces_sampler_arg)),
    )
    if settings.otlp_traces_endpoint_configured:
        # Imported here: the exporter pulls in requests and protobuf, unneeded otherwise.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter,
        )

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    if isinstance(trace.get_tracer_provider(), ProxyTracerProvider):
        trace.set_tracer_provider(provider)
    return provider


def get_tracer(provider: TracerProvider) -> Tracer:
    """The chassis' tracer from `provider`."""
    return provider.get_tracer(INSTRUMENTATION_NAME)


def shutdown_tracing(provider: TracerProvider, timeout_seconds: float = 5.0) -> bool:
    """Flush pending spans and shut the provider down, waiting at most `timeout_seconds`.

    Runs in the lifespan shutdown: uvicorn re-raises SIGTERM after its graceful
    shutdown, so `atexit` hooks (the SDK's default) never run. Bounded because an
    unreachable collector would otherwise hold the process past its grace period.
    Returns False when the deadline passed first.
    """

    def _flush_and_shutdown() -> None:
        provider.force_flush(timeout_millis=int(timeout_seconds * 1000))
        provider.shutdown()

    worker = threading.Thread(target=_flush_and_shutdown, name="otel-shutdown", daemon=True)
    worker.start()
    worker.join(timeout_seconds)
    return not worker.is_alive()


def extract_parent(headers: Iterable[tuple[bytes, bytes]]) -> context.Context | None:
    """The W3C tracecontext parent from ASGI headers, or None without a traceparent."""
    carrier: dict[str, str] | None = None
    for name, value in headers:
        if name in (_TRACEPARENT, _TRACESTATE):
            if carrier is None:
                carrier = {}
            carrier[name.decode("latin-1")] = value.decode("latin-1")
    if carrier is None or "traceparent" not in carrier:
        return None
    return _PROPAGATOR.extract(carrier)


class ServerSpan:
    """One SERVER span for one request, made current while the request runs."""

    __slots__ = ("span", "token")

    def __init__(self, tracer: Tracer, scope: dict[str, Any]) -> None:
        parent = extract_parent(scope["headers"])
        method = scope["method"]
        # Attributes known up front are given to start_span (the sampler sees them, and
        # an unsampled span never copies them); the rest go in one call in `finish`.
        self.span = tracer.start_span(
            method,
            context=parent,
            kind=SpanKind.SERVER,
            attributes={
                "http.request.method": method,
                "url.path": scope["path"],
                "url.scheme": scope.get("scheme", "http"),
                "network.protocol.version": scope.get("http_version", "1.1"),
            },
        )
        self.token = context.attach(trace.set_span_in_context(self.span, parent))

    def finish(self, route: str, status: int, error: BaseException | None = None) -> None:
        """Name the span after the route template, record status, end it, detach."""
        span = self.span
        if span.is_recording():
            span.update_name(f"{span.name} {route}")  # type: ignore[attr-defined]
            span.set_attributes({"http.route": route, "http.response.status_code": status})
            if error is not None:
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            elif status >= 500:
                span.set_status(Status(StatusCode.ERROR))
        span.end()
        context.detach(self.token)


class DependencySpan:
    """A CLIENT span for one call to a dependency, child of the current (recording) span.

    `DependencySpan.start(...)` returns None when nothing would be recorded (no
    current span, or an unsampled one): an unsampled request pays one check.
    """

    __slots__ = ("span", "token")

    def __init__(self, span: trace.Span) -> None:
        self.span = span
        self.token = context.attach(trace.set_span_in_context(span))

    @classmethod
    def start(cls, dependency: str, operation: str | None = None) -> DependencySpan | None:
        if not trace.get_current_span().is_recording():
            return None
        tracer = trace.get_tracer(INSTRUMENTATION_NAME)
        name = f"{dependency} {operation}" if operation else dependency
        attributes = {"peer.service": dependency}
        if operation:
            attributes["db.operation.name"] = operation
        return cls(tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attributes))

    def finish(self, outcome: str, error: BaseException | None = None) -> None:
        """End the span: `outcome` (success/error/timeout/...) as an attribute."""
        span = self.span
        span.set_attribute("slipway.dependency.outcome", outcome)
        if error is not None and outcome != "success":
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end()
        context.detach(self.token)
