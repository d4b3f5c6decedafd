"""slipway_chassis.testing.OTLPReceiver decodes what the real OTLP/HTTP exporter sends.

The same receiver serves the chassis' own tests and the e2e gate (slipway-gates),
which binds it to the Docker network's gateway so a container can export to it.
"""

from __future__ import annotations

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from slipway_chassis.testing import OTLPReceiver


def test_receives_spans_from_the_real_exporter_on_a_chosen_host() -> None:
    with OTLPReceiver(host="127.0.0.1") as receiver:
        provider = TracerProvider(resource=Resource.create({"service.name": "orders-api"}))
        exporter = OTLPSpanExporter(endpoint=f"{receiver.endpoint}/v1/traces")
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        with provider.get_tracer("test").start_as_current_span("GET /items") as span:
            trace_id = format(span.get_span_context().trace_id, "032x")
        provider.shutdown()
        assert receiver.wait_for_traces({trace_id}, timeout=10) == set()
        assert receiver.trace_ids() == {trace_id}
        [received] = receiver.spans
        assert received.name == "GET /items"
        assert received.resource["service.name"] == "orders-api"
        assert len(received.span_id) == 16


def test_missing_traces_are_reported_after_the_timeout() -> None:
    with OTLPReceiver() as receiver:
        assert receiver.wait_for_traces({"0" * 32}, timeout=0.5) == {"0" * 32}
