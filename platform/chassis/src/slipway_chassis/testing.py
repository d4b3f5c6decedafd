"""Helpers for services' own tests (and the chassis' tests): public, stable API.

- `app_client(app)`: a Starlette `TestClient` that runs the real lifespan.
- `capture_logs()`: the JSON lines the chassis writes, parsed, while still
  rendered by the real processors (trace ids, redaction, service fields).
- `OTLPReceiver`: a real OTLP/HTTP endpoint on 127.0.0.1 that decodes the
  protobuf payload (opentelemetry-proto) into `ReceivedSpan`s.
- `parse_metrics` / `metric_value`: the Prometheus text format, parsed by
  prometheus-client's own parser.
- `reset_tracing()`: forget the process-global tracer provider between tests.
"""

from __future__ import annotations

import gzip
import io
import threading
import time
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.util._once import Once
from prometheus_client.parser import text_string_to_metric_families

with warnings.catch_warnings():
    # Starlette 1.x warns that its TestClient prefers `httpx2`; httpx is what we ship.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from slipway_chassis._logs import SINK


@contextmanager
def app_client(app: Any, **kwargs: Any) -> Iterator[TestClient]:
    """A test client with the app's real lifespan run (start-up on enter, shutdown on exit)."""
    with TestClient(app, **kwargs) as client:
        yield client


@dataclass
class CapturedLogs:
    """Rendered log lines captured from the chassis' sink."""

    raw: list[bytes] = field(default_factory=list)

    @property
    def entries(self) -> list[dict[str, Any]]:
        """Every captured line, parsed from JSON."""
        return [orjson.loads(line) for line in self.raw]

    def events(self, event: str) -> list[dict[str, Any]]:
        """Entries whose `event` equals `event`."""
        return [e for e in self.entries if e.get("event") == event]


@contextmanager
def capture_logs(*, echo: bool = False) -> Iterator[CapturedLogs]:
    """Capture the JSON lines the chassis writes (stdout is silenced unless `echo`)."""
    captured = CapturedLogs()
    previous_stream, previous_tee = SINK.stream, SINK.tee
    SINK.tee = captured.raw
    if not echo:
        SINK.stream = io.BytesIO()
    try:
        yield captured
    finally:
        SINK.stream, SINK.tee = previous_stream, previous_tee


def reset_tracing() -> None:
    """Test-only: allow the next app to install its tracer provider as the global one."""
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._TRACER_PROVIDER = None


def _any_value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [_any_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return _attributes(value.kvlist_value.values)
    return getattr(value, kind)


def _attributes(items: Any) -> dict[str, Any]:
    return {kv.key: _any_value(kv.value) for kv in items if isinstance(kv, KeyValue)}


@dataclass(frozen=True)
class ReceivedSpan:
    """One span as decoded from an OTLP export request."""

    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    kind: int
    attributes: dict[str, Any]
    resource: dict[str, Any]
    status_code: int


class OTLPReceiver:
    """A real OTLP/HTTP traces endpoint (protobuf) on 127.0.0.1, for tests.

    >>> with OTLPReceiver() as receiver:
    ...     os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.endpoint
    ...     ...
    ...     spans = receiver.wait_for_spans(1)
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        """Listen on `host` (an ephemeral port); a container reaches the host on
        its Docker network's gateway address, so e2e tests bind there."""
        self.spans: list[ReceivedSpan] = []
        self.requests = 0
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                encoding = self.headers.get("content-encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                if self.path != "/v1/traces":
                    self.send_response(404)
                    self.end_headers()
                    return
                receiver._ingest(body)
                reply = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                return  # keep test output clean

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        """Base URL for `OTEL_EXPORTER_OTLP_ENDPOINT` (the exporter appends /v1/traces)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def _ingest(self, body: bytes) -> None:
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        decoded: list[ReceivedSpan] = []
        for resource_spans in request.resource_spans:
            resource = _attributes(resource_spans.resource.attributes)
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    decoded.append(
                        ReceivedSpan(
                            name=span.name,
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            kind=span.kind,
                            attributes=_attributes(span.attributes),
                            resource=resource,
                            status_code=span.status.code,
                        )
                    )
        with self._cond:
            self.requests += 1
            self.spans.extend(decoded)
            self._cond.notify_all()

    def wait_for_spans(self, count: int, timeout: float = 10.0) -> list[ReceivedSpan]:
        """Block until at least `count` spans arrived (AssertionError after `timeout`)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.spans) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"OTLPReceiver: expected {count} span(s) within {timeout}s, "
                        f"got {len(self.spans)}"
                    )
                self._cond.wait(remaining)
            return list(self.spans)

    def trace_ids(self) -> set[str]:
        """Trace ids of every span received so far."""
        with self._cond:
            return {span.trace_id for span in self.spans}

    def wait_for_traces(self, wanted: set[str], timeout: float = 30.0) -> set[str]:
        """Wait until every wanted trace id arrived; returns those still missing."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while missing := wanted - {span.trace_id for span in self.spans}:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return missing
                self._cond.wait(remaining)
        return set()

    def __enter__(self) -> OTLPReceiver:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def parse_metrics(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Prometheus text -> {sample name: [(labels, value), ...]}."""
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return samples


def metric_value(text: str, name: str, **labels: str) -> float | None:
    """The value of the sample `name` whose labels include `labels`, or None."""
    for sample_labels, value in parse_metrics(text).get(name, []):
        if all(sample_labels.get(k) == v for k, v in labels.items()):
            return value
    return None


__all__ = [
    "CapturedLogs",
    "OTLPReceiver",
    "ReceivedSpan",
    "app_client",
    "capture_logs",
    "metric_value",
    "parse_metrics",
    "reset_tracing",
]
