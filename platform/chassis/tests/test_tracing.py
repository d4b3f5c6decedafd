"""Tracing: spans reach a real OTLP/HTTP receiver with the right attributes and ids."""

from __future__ import annotations

import httpx
import pytest
from chassis_testkit import free_port
from opentelemetry.proto.trace.v1.trace_pb2 import Span as ProtoSpan
from opentelemetry.proto.trace.v1.trace_pb2 import Status
from slipway_chassis import (
    ServiceSettings,
    create_app,
    dependency_breaker,
    get_logger,
    resilient_client,
)
from slipway_chassis.testing import OTLPReceiver, app_client, capture_logs

PARENT_TRACE = "0af7651916cd43dd8448eb211c80319c"
PARENT_SPAN = "b7ad6b7169203331"


def _app(settings: ServiceSettings):  # type: ignore[no-untyped-def]
    app = create_app(settings)
    log = get_logger("handlers")

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        log.info("item read", item_id=item_id)
        return {"id": item_id}

    return app


def test_span_exported_with_attributes_and_same_trace_id_as_logs(
    chassis_env: pytest.MonkeyPatch,
) -> None:
    with OTLPReceiver() as receiver:
        chassis_env.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint)
        chassis_env.setenv("SERVICE_VERSION", "2.0.1")
        app = _app(ServiceSettings())
        with capture_logs() as logs, app_client(app) as client:
            response = client.get(
                "/items/42", headers={"traceparent": f"00-{PARENT_TRACE}-{PARENT_SPAN}-01"}
            )
            assert response.status_code == 200
            client.get("/livez")  # excluded: must not produce a span
            client.get("/metrics")
        # Shutdown (leaving app_client) flushed the batch processor.
        spans = receiver.wait_for_spans(1)
    assert len(spans) == 1, [s.name for s in spans]
    (span,) = spans
    assert span.name == "GET /items/{item_id}"
    assert span.kind == ProtoSpan.SPAN_KIND_SERVER
    assert span.trace_id == PARENT_TRACE  # W3C tracecontext in
    assert span.parent_span_id == PARENT_SPAN
    assert span.attributes["http.route"] == "/items/{item_id}"
    assert span.attributes["http.request.method"] == "GET"
    assert span.attributes["http.response.status_code"] == 200
    assert span.attributes["url.path"] == "/items/42"
    assert span.resource["service.name"] == "orders-api"
    assert span.resource["service.version"] == "2.0.1"
    assert span.resource["deployment.environment"] == "dev"
    request_lines = [e for e in logs.entries if e["event"] in {"item read", "request"}]
    assert len(request_lines) == 2
    for entry in request_lines:
        assert entry["trace_id"] == span.trace_id
        assert entry["span_id"] == span.span_id


def test_traces_only_endpoint_alone_turns_exporting_on(chassis_env: pytest.MonkeyPatch) -> None:
    """OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (a full URL, the exporter's own variable) is
    enough: a collector configured for traces only still receives the spans."""
    with OTLPReceiver() as receiver:
        chassis_env.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", f"{receiver.endpoint}/v1/traces")
        app = _app(ServiceSettings())
        with app_client(app) as client:
            assert client.get("/items/7").status_code == 200
        spans = receiver.wait_for_spans(1)
    assert [s.name for s in spans] == ["GET /items/{item_id}"]


def test_sampling_ratio_zero_exports_nothing_but_logs_keep_ids(
    chassis_env: pytest.MonkeyPatch,
) -> None:
    with OTLPReceiver() as receiver:
        chassis_env.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint)
        chassis_env.setenv("OTEL_TRACES_SAMPLER_ARG", "0")
        app = _app(ServiceSettings())
        with capture_logs() as logs, app_client(app) as client:
            for i in range(5):
                client.get(f"/items/{i}")
        assert receiver.spans == []
    access = logs.events("request")
    assert len(access) == 5
    assert all(len(e["trace_id"]) == 32 for e in access)


def test_unreachable_collector_never_breaks_requests(chassis_env: pytest.MonkeyPatch) -> None:
    # A port nobody listens on: export fails in the background thread only.
    chassis_env.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    chassis_env.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "1")
    app = _app(ServiceSettings())
    with capture_logs(), app_client(app) as client:
        statuses = [client.get(f"/items/{i}").status_code for i in range(20)]
    assert statuses == [200] * 20


def test_outbound_calls_carry_traceparent(chassis_env: pytest.MonkeyPatch) -> None:
    """W3C tracecontext out: a resilient_client call inside a request propagates the trace."""
    seen: list[str] = []

    async def downstream(scope, receive, send):  # type: ignore[no-untyped-def]
        headers = dict(scope["headers"])
        seen.append(headers.get(b"traceparent", b"").decode())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    settings = ServiceSettings()
    app = create_app(settings)
    client = resilient_client(settings, dependency="stock", base_url="http://stock")
    client._transport.inner = httpx.ASGITransport(app=downstream)  # type: ignore[attr-defined]

    @app.get("/checkout")
    async def checkout() -> dict[str, str]:
        await client.get("/reserve")
        return {"ok": "yes"}

    with capture_logs() as logs, app_client(app) as http:
        http.get("/checkout", headers={"traceparent": f"00-{PARENT_TRACE}-{PARENT_SPAN}-01"})
    assert len(seen) == 1
    version, trace_id, span_id, flags = seen[0].split("-")
    assert (version, trace_id, flags) == ("00", PARENT_TRACE, "01")
    assert span_id != PARENT_SPAN  # the httpx CLIENT span is the new parent
    assert logs.events("request")[0]["trace_id"] == PARENT_TRACE


def test_dependency_calls_are_client_child_spans_of_the_request(
    chassis_env: pytest.MonkeyPatch,
) -> None:
    database = dependency_breaker("database", failure_threshold=100)

    with OTLPReceiver() as receiver:
        chassis_env.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint)
        app = create_app(ServiceSettings())

        @app.get("/rows/{row_id}")
        async def row(row_id: int) -> dict[str, int]:
            async with database.guard("SELECT rows"):
                pass
            if row_id == 0:
                async with database.guard("SELECT rows"):
                    raise ConnectionResetError("reset by peer")
            return {"id": row_id}

        with capture_logs(), app_client(app) as client:
            assert client.get("/rows/1").status_code == 200
            assert client.get("/rows/0").status_code == 503
        spans = receiver.wait_for_spans(5)
    servers = {s.span_id: s for s in spans if s.kind == ProtoSpan.SPAN_KIND_SERVER}
    clients = [s for s in spans if s.kind == ProtoSpan.SPAN_KIND_CLIENT]
    assert len(servers) == 2, [(s.name, s.kind) for s in spans]
    assert len(clients) == 3, [(s.name, s.kind) for s in spans]
    for child in clients:
        parent = servers[child.parent_span_id]  # a child of its request's span
        assert child.trace_id == parent.trace_id
        assert child.name == "database SELECT rows"
        assert child.attributes["peer.service"] == "database"
    failed = [c for c in clients if c.attributes["slipway.dependency.outcome"] == "error"]
    assert len(failed) == 1
    assert failed[0].status_code == Status.STATUS_CODE_ERROR


def test_unsampled_requests_make_no_dependency_spans(chassis_env: pytest.MonkeyPatch) -> None:
    database = dependency_breaker("database")
    with OTLPReceiver() as receiver:
        chassis_env.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint)
        chassis_env.setenv("OTEL_TRACES_SAMPLER_ARG", "0")
        app = create_app(ServiceSettings())

        @app.get("/rows")
        async def rows() -> dict[str, int]:
            async with database.guard("SELECT rows"):
                return {"rows": 0}

        with capture_logs(), app_client(app) as client:
            for _ in range(3):
                assert client.get("/rows").status_code == 200
        assert receiver.spans == []
