"""The e2e OTLP receiver decodes what the real OTLP/HTTP exporter sends."""

from __future__ import annotations

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from slipway_gates.e2e.otlp_receiver import SpanReceiver


def test_receives_spans_from_the_real_exporter() -> None:
    with SpanReceiver("127.0.0.1") as receiver:
        provider = TracerProvider(resource=Resource.create({"service.name": "orders-api"}))
        exporter = OTLPSpanExporter(endpoint=f"{receiver.endpoint}/v1/traces")
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        with provider.get_tracer("test").start_as_current_span("GET /items") as span:
            trace_id = format(span.get_span_context().trace_id, "032x")
        provider.shutdown()
        assert receiver.wait_for_traces({trace_id}, timeout=10) == set()
        [received] = receiver.spans
        assert received == {
            "trace_id": trace_id,
            "span_id": received["span_id"],
            "name": "GET /items",
            "service": "orders-api",
        }
        assert len(received["span_id"]) == 16


def test_missing_traces_are_reported_after_the_timeout() -> None:
    with SpanReceiver("127.0.0.1") as receiver:
        assert receiver.wait_for_traces({"0" * 32}, timeout=0.5) == {"0" * 32}
