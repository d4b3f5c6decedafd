"""The real worker app (chassis lifespan and middleware) with a stand-in consumer.

Every test runs twice: tracing and metrics on, and off. The broker itself is
covered by tests/integration against a real rabbitmq.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from events_worker.app import create_app
from events_worker.settings import Settings


class StandInConsumer:
    """Records what the app asks of a consumer (no broker)."""

    queue = "events-worker.work"

    def __init__(self) -> None:
        self.published: list[bytes] = []
        self.events: list[str] = []

    async def connect(self) -> None:
        self.events.append("connect")

    async def run(self) -> None:
        self.events.append("run")

    async def stop(self) -> None:
        self.events.append("stop")

    async def close(self) -> None:
        self.events.append("close")

    async def ping(self) -> None:
        return None

    async def publish(self, body: bytes, *, attempt: int = 1) -> None:
        self.published.append(body)


@pytest.fixture(params=[True, False], ids=["telemetry-on", "telemetry-off"])
def telemetry(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def consumer() -> StandInConsumer:
    return StandInConsumer()


@pytest.fixture
def client(telemetry: bool, consumer: StandInConsumer) -> Iterator[TestClient]:
    settings = Settings(
        service_name="events-worker",
        app_env="dev",
        tracing_enabled=telemetry,
        metrics_enabled=telemetry,
    )
    app = create_app(settings, consumer=consumer)  # type: ignore[arg-type]
    with TestClient(app) as test_client:  # runs the real start-up and shutdown
        yield test_client


def test_lifespan_connects_runs_and_closes(consumer: StandInConsumer, client: TestClient) -> None:
    assert client.get("/startupz").status_code == 200
    assert consumer.events[:2] == ["connect", "run"]


def test_probes_answer(client: TestClient) -> None:
    assert client.get("/livez").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_enqueue_publishes_a_valid_message(client: TestClient, consumer: StandInConsumer) -> None:
    response = client.post("/messages", json={"order_id": "o-1", "amount": "12.50"})
    assert response.status_code == 202, response.text
    assert response.json() == {"queued": "o-1", "queue": consumer.queue}
    assert len(consumer.published) == 1


def test_enqueue_rejects_a_bad_message_with_422(
    client: TestClient, consumer: StandInConsumer
) -> None:
    response = client.post("/messages", json={"order_id": "o-1", "amount": "-1"})
    assert response.status_code == 422
    assert "amount" in response.text
    assert consumer.published == []


def test_metrics_follow_the_switch(client: TestClient, telemetry: bool) -> None:
    client.post("/messages", json={"order_id": "o-1", "amount": "1"})
    response = client.get("/metrics")
    if telemetry:
        assert response.status_code == 200
        assert 'route="/messages"' in response.text
    else:
        assert response.status_code == 404
