"""The real app (chassis lifespan and middleware) serving /items, in-process.

Every test runs twice: tracing and metrics on, and off. A template whose app
answers 500 as soon as telemetry is switched on must fail here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from orders_api.app import create_app
from orders_api.repository import InMemoryItemRepository
from orders_api.routes import WRITE_FLAG
from orders_api.settings import Settings

ITEM = {"name": "blue mug", "quantity": 2, "unit_price": "9.50"}


def _settings(telemetry: bool, **extra: object) -> Settings:
    return Settings(
        service_name="orders-api",
        app_env="dev",
        tracing_enabled=telemetry,
        metrics_enabled=telemetry,
        **extra,
    )


@pytest.fixture(params=[True, False], ids=["telemetry-on", "telemetry-off"])
def telemetry(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def client(telemetry: bool) -> Iterator[TestClient]:
    app = create_app(_settings(telemetry), repository=InMemoryItemRepository())
    with TestClient(app) as test_client:  # runs the real start-up and shutdown
        yield test_client


def test_create_then_read_an_item(client: TestClient) -> None:
    created = client.post("/items", json=ITEM)
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["name"] == "blue mug"
    assert uuid.UUID(item["id"])
    fetched = client.get(f"/items/{item['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == item
    assert client.get("/items").json() == [item]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ITEM, "quantity": 0}, "quantity"),
        ({**ITEM, "unit_price": "-1"}, "unit_price"),
        ({**ITEM, "name": ""}, "name"),
        ({"name": "mug", "quantity": 1}, "unit_price"),
        ({**ITEM, "colour": "blue"}, "colour"),
        # PostgreSQL cannot store NUL; a lone surrogate is not UTF-8 (both were 500s).
        ({**ITEM, "name": "a\u0000b"}, "name"),
        ({**ITEM, "name": "ab\ud800"}, "name"),
    ],
)
def test_bad_input_is_422_naming_the_field(client: TestClient, body: dict, field: str) -> None:
    response = client.post(
        "/items",
        content=json.dumps(body),  # json.dumps escapes a lone surrogate; httpx's json= cannot
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert field in {str(part) for err in problem["errors"] for part in err["loc"]}
    assert field in problem["detail"]


def test_out_of_range_number_is_422_naming_the_field(client: TestClient) -> None:
    # 1e400 parses as infinity; rendering its 422 used to raise (HTTP 500).
    body = b'{"name": "mug", "quantity": 1, "unit_price": 1e400}'
    response = client.post("/items", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "unit_price"]


def test_unknown_item_is_404(client: TestClient) -> None:
    assert client.get(f"/items/{uuid.uuid4()}").status_code == 404


def test_probes_answer(client: TestClient) -> None:
    assert client.get("/livez").status_code == 200
    assert client.get("/startupz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text


def test_metrics_follow_the_switch(client: TestClient, telemetry: bool) -> None:
    client.post("/items", json=ITEM)
    response = client.get("/metrics")
    if telemetry:
        assert response.status_code == 200
        assert 'route="/items"' in response.text
        assert "http_server_requests_total" in response.text
    else:
        assert response.status_code == 404


def test_write_kill_switch_turns_writes_off(tmp_path: Path) -> None:
    flags = tmp_path / "flags.json"
    flags.write_text(
        json.dumps(
            {
                "flags": {
                    WRITE_FLAG: {
                        "state": "ENABLED",
                        "variants": {"on": True, "off": False},
                        "defaultVariant": "off",
                    }
                }
            }
        )
    )
    app = create_app(_settings(True, flags_file=flags), repository=InMemoryItemRepository())
    with TestClient(app) as client:
        response = client.post("/items", json=ITEM)
    assert response.status_code == 503
    assert WRITE_FLAG in response.text
