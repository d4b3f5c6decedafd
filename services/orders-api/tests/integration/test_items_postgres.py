"""The real app against a real PostgreSQL: migrations, persistence, readiness.

Runs the app's real lifespan (Alembic upgrade at start-up) and middleware
stack through TestClient, with tracing and metrics on and off.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import asyncpg
import pytest
from fastapi.testclient import TestClient
from testcontainers.core.container import DockerContainer

from orders_api.app import create_app
from orders_api.settings import Settings

pytestmark = [pytest.mark.requires("docker"), pytest.mark.timeout(240)]
ITEM = {"name": "blue mug", "quantity": 2, "unit_price": "9.50"}


@pytest.fixture(scope="module")
def postgres(
    start_container: Callable[..., tuple[DockerContainer, str, int]],
    free_port: Callable[[], int],
    wait_until: Callable[..., None],
) -> tuple[DockerContainer, str]:
    # A fixed host port: the outage test stops and restarts the container, and an
    # ephemeral port would change on restart.
    container, host, port = start_container("postgres", 5432, free_port())
    dsn = f"postgresql://postgres:postgres@{host}:{port}/app"

    async def connect() -> None:
        conn = await asyncpg.connect(dsn, timeout=2)
        await conn.close()

    wait_until(lambda: asyncio.run(connect()), "postgres")
    return container, dsn.replace("postgresql://", "postgresql+asyncpg://")


def _app(url: str, telemetry: bool, breaker_recovery: float = 30.0) -> TestClient:
    settings = Settings(
        service_name="orders-api",
        app_env="dev",
        database_url=url,
        tracing_enabled=telemetry,
        metrics_enabled=telemetry,
        database_breaker_recovery_seconds=breaker_recovery,
    )
    # Server errors become 500 responses (as in production), not test exceptions.
    return TestClient(create_app(settings), raise_server_exceptions=False)


@pytest.mark.parametrize("telemetry", [True, False], ids=["telemetry-on", "telemetry-off"])
def test_items_persist_across_restarts(
    postgres: tuple[DockerContainer, str], telemetry: bool
) -> None:
    _, url = postgres
    with _app(url, telemetry) as client:  # start-up migrates the schema to head
        created = client.post("/items", json=ITEM)
        assert created.status_code == 201, created.text
        item_id = created.json()["id"]
        assert client.get("/readyz").status_code == 200
    with _app(url, telemetry) as client:  # a new process sees what the first stored
        fetched = client.get(f"/items/{item_id}")
        assert fetched.status_code == 200, fetched.text
        assert fetched.json()["unit_price"] == "9.50"
        assert client.get(f"/items/{uuid.uuid4()}").status_code == 404
        assert client.post("/items", json={**ITEM, "quantity": -1}).status_code == 422


def test_migrations_are_recorded(postgres: tuple[DockerContainer, str]) -> None:
    _, url = postgres
    with _app(url, False):
        pass

    async def version() -> str:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            return str(await conn.fetchval("SELECT version_num FROM alembic_version"))
        finally:
            await conn.close()

    assert asyncio.run(version()) == "0001"


def test_database_outage_opens_the_circuit_and_recovery_closes_it(
    postgres: tuple[DockerContainer, str], wait_until: Callable[..., None]
) -> None:
    container, url = postgres
    with _app(url, True, breaker_recovery=1.0) as client:
        assert client.post("/items", json=ITEM).status_code == 201
        assert _breaker_state(client) == 0  # closed
        container.get_wrapped_container().stop(timeout=5)  # the database goes away
        try:
            # Failed calls (each a 503 + Retry-After, never a 500) open the breaker; then
            # requests fail fast with 503 without touching the database.
            wait_until(lambda: _circuit_opened(client), "503 from an open circuit", 30)
            assert _breaker_state(client) in (1, 2)  # open (half-open once it retries)
            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert "database" in ready.text
        finally:
            container.get_wrapped_container().start()  # same published port (fixed)
        # Recovery: a trial call (readiness probe or request) closes the breaker again.
        wait_until(lambda: _ready(client), "readiness after the database came back", 60)
        assert client.get("/items").status_code == 200
        assert _breaker_state(client) == 0


def _circuit_opened(client: TestClient) -> None:
    _fails_fast(client)
    assert _breaker_state(client) in (1, 2)


def _fails_fast(client: TestClient) -> None:
    response = client.get("/items")
    assert response.status_code == 503, response.status_code
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["dependency"] == "database"


def _breaker_state(client: TestClient) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith('circuit_breaker_state{dependency="database"}'):
            return float(line.rpartition(" ")[2])
    raise AssertionError("no circuit_breaker_state series for the database")


def _ready(client: TestClient) -> None:
    assert client.get("/readyz").status_code == 200
