"""The real worker app against a real rabbitmq: ack, retry with backoff, dead-letter.

The app runs with its real lifespan (the consumer starts in it) and middleware
stack through TestClient, with tracing and metrics on and off; outcomes are
read from the chassis' Prometheus metrics and from the broker itself.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from prometheus_client import REGISTRY
from slipway_chassis.testing import OTLPReceiver, capture_logs, reset_tracing
from testcontainers.core.container import DockerContainer

from events_worker.app import create_app
from events_worker.settings import Settings

pytestmark = [pytest.mark.requires("docker"), pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def broker_url(
    start_container: Callable[[str, int], tuple[DockerContainer, str, int]],
    wait_until: Callable[..., None],
) -> str:
    import aio_pika  # noqa: PLC0415

    _, host, port = start_container("rabbitmq", 5672)
    url = f"amqp://guest:guest@{host}:{port}/"

    async def connect() -> None:
        connection = await aio_pika.connect(url, timeout=2)
        await connection.close()

    wait_until(lambda: asyncio.run(connect()), "rabbitmq", 120)
    return url


def _count(queue: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value("queue_messages_total", {"queue": queue, "outcome": outcome})
    return value or 0.0


def _dead_letters(url: str, queue: str) -> int:
    import aio_pika  # noqa: PLC0415

    async def count() -> int:
        connection = await aio_pika.connect(url)
        async with connection:
            channel = await connection.channel()
            dead = await channel.declare_queue(f"{queue}.dead", durable=True, passive=True)
            return int(dead.declaration_result.message_count or 0)

    return asyncio.run(count())


@pytest.mark.parametrize("telemetry", [True, False], ids=["telemetry-on", "telemetry-off"])
def test_ack_retry_and_dead_letter(
    broker_url: str, telemetry: bool, wait_until: Callable[..., None]
) -> None:
    queue = f"it-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        service_name="events-worker",
        app_env="dev",
        broker_url=broker_url,
        queue_name=queue,
        max_attempts=3,
        retry_base_seconds=0.2,
        tracing_enabled=telemetry,
        metrics_enabled=telemetry,
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200
        good = {"order_id": "good", "amount": "12.50"}
        flaky = {"order_id": "flaky", "amount": "1", "fail_first_attempts": 1}
        hopeless = {"order_id": "hopeless", "amount": "1", "fail_first_attempts": 99}
        for message in (good, flaky, hopeless):
            assert client.post("/messages", json=message).status_code == 202
        # Poison straight onto the queue (the HTTP endpoint would refuse it with 422).
        client.portal.call(client.app.state.consumer.publish, b"{not json")  # type: ignore[union-attr]

        def settled() -> None:
            assert _dead_letters(broker_url, queue) == 2  # hopeless (out of attempts) + poison
            if telemetry:
                # The counter moves just after the dead letter is queued: wait for both.
                assert _count(queue, "dead_lettered") == 2

        wait_until(settled, "dead letters", 60)
        if telemetry:
            # good + flaky (on its second attempt); flaky once and hopeless twice retried
            assert _count(queue, "acked") == 2
            assert _count(queue, "retried") == 3
            metrics = client.get("/metrics").text
            acked = 'queue_messages_total{outcome="acked",queue="%s"} 2.0' % queue  # noqa: UP031
            assert acked in metrics


def test_consumer_span_continues_the_producers_trace(
    broker_url: str, monkeypatch: pytest.MonkeyPatch, wait_until: Callable[..., None]
) -> None:
    """POST /messages carries its trace into the message; the consumer's span and
    log lines continue it (one CONSUMER span per message, same trace_id)."""
    queue = f"it-{uuid.uuid4().hex[:8]}"
    trace_id = uuid.uuid4().hex
    traceparent = f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"
    with OTLPReceiver() as receiver, capture_logs() as logs:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint)
        reset_tracing()
        settings = Settings(
            service_name="events-worker",
            app_env="dev",
            broker_url=broker_url,
            queue_name=queue,
            tracing_enabled=True,
        )
        try:
            with TestClient(create_app(settings)) as client:
                message = {"order_id": "traced", "amount": "3.00"}
                response = client.post(
                    "/messages", json=message, headers={"traceparent": traceparent}
                )
                assert response.status_code == 202

                def processed() -> None:
                    assert [e for e in logs.events("order processed") if e["order_id"] == "traced"]

                wait_until(processed, "the traced message", 60)
        finally:
            reset_tracing()
        # The app's shutdown flushed its batch processor into the receiver.
        assert receiver.wait_for_traces({trace_id}) == set()
    consumer_spans = [s for s in receiver.spans if s.kind == Span.SPAN_KIND_CONSUMER]
    assert len(consumer_spans) == 1, receiver.spans
    span = consumer_spans[0]
    assert span.trace_id == trace_id
    assert span.attributes["messaging.system"] == "rabbitmq"
    assert span.attributes["messaging.destination.name"] == queue
    assert span.attributes["messaging.outcome"] == "acked"
    processed_lines = [e for e in logs.events("order processed") if e["order_id"] == "traced"]
    assert [e["trace_id"] for e in processed_lines] == [trace_id]
    assert processed_lines[0]["span_id"] == span.span_id
