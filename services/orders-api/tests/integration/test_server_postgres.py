"""The real server process (`python -m orders_api`) on a real PostgreSQL.

What a client on the network meets: hostile input is a 4xx problem+json naming
the field (it used to reach PostgreSQL and come back as 500s); a property-based
test (schemathesis) sends what the OpenAPI document allows and what it does not,
and every answer is documented there (status, body schema, headers), never a 5xx;
while the database shuts down and goes away under load every request is
answered, with a 2xx or a 503 + Retry-After: zero 500s, zero dropped connections.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from testcontainers.core.container import DockerContainer

pytestmark = [pytest.mark.requires("docker"), pytest.mark.timeout(240)]
ITEM = {"name": "blue mug", "quantity": 2, "unit_price": "9.50"}
PROBLEM_JSON = "application/problem+json"
JSON = "application/json"


def _database(
    start_container: Callable[..., tuple[DockerContainer, str, int]],
    wait_until: Callable[..., None],
) -> tuple[DockerContainer, str]:
    container, host, port = start_container("postgres", 5432)
    dsn = f"postgresql://postgres:postgres@{host}:{port}/app"  # pragma: allowlist secret

    async def connect() -> None:
        conn = await asyncpg.connect(dsn, timeout=2)
        await conn.close()

    wait_until(lambda: asyncio.run(connect()), "postgres")
    return container, dsn.replace("postgresql://", "postgresql+asyncpg://")


@pytest.fixture(scope="module")
def server(
    start_container: Callable[..., tuple[DockerContainer, str, int]],
    wait_until: Callable[..., None],
    run_service: Callable[..., tuple[str, Path]],
) -> str:
    _, url = _database(start_container, wait_until)
    base, _log = run_service(DATABASE_URL=url)
    return base


@pytest.mark.parametrize(
    ("body", "content_type", "status", "field"),
    [
        # A NUL reached asyncpg: CharacterNotInRepertoireError, a 500.
        (b'{"name":"a\\u0000b","quantity":1,"unit_price":"1.00"}', JSON, 422, "name"),
        # A lone surrogate crashed the 422 renderer (UnicodeEncodeError), a 500.
        (b'{"name":"ab\\ud800","quantity":1,"unit_price":"1.00"}', JSON, 422, "name"),
        # 1e400 is float inf: rendering its 422 raised ValueError, a 500.
        (b'{"name":"mug","quantity":1,"unit_price":1e400}', JSON, 422, "unit_price"),
        (b'{"name":"mug","quantity":1e400,"unit_price":"1.00"}', JSON, 422, "quantity"),
        (b'{"name":"\xff\xfe mug","quantity":1,"unit_price":"1.00"}', JSON, 400, None),
        (b'{"name":"mug","quantity":1,"unit_price":"1.00"}', "text/plain", 415, "body"),
        (b'{"name":"mug","quantity":1,"unit_price":"1.00"', JSON, 400, None),
    ],
)
def test_hostile_input_is_a_4xx_problem_naming_the_field(
    server: str, body: bytes, content_type: str, status: int, field: str | None
) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        response = client.post("/items", content=body, headers={"content-type": content_type})
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == PROBLEM_JSON
        problem = response.json()
        assert problem["status"] == status
        assert len(problem["trace_id"]) == 32
        if field is not None:
            assert field in problem["detail"], problem
        # The same keep-alive connection goes on serving.
        assert client.post("/items", json=ITEM).status_code == 201


CONTRACT_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_openapi_document(server: str, mode: GenerationMode) -> None:
    # Hypothesis driven directly, not schemathesis' lazy pytest loader (broken on pytest 9).
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            pytest.fail(f"the OpenAPI document is invalid: {result.err()}")
        operations.append(result.ok())
    assert {op.label for op in operations} >= {"POST /items", "GET /items/{item_id}"}
    for operation in operations:
        # Bounded: 25 generated requests per operation and mode keep CI to seconds.
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case: Case[Any]) -> None:
            case.call_and_validate(checks=CONTRACT_CHECKS, timeout=30)

        conforms()


def test_database_shutdown_under_load_gives_no_500(
    start_container: Callable[..., tuple[DockerContainer, str, int]],
    wait_until: Callable[..., None],
    run_service: Callable[..., tuple[str, Path]],
) -> None:
    container, url = _database(start_container, wait_until)
    # A small pool: under 8 clients, overflow connections are opened during the
    # shutdown too (PostgreSQL refuses them: "the database system is shutting down").
    base, _log = run_service(DATABASE_URL=url, DATABASE_POOL_SIZE="2")
    outcomes: Counter[str] = Counter()
    bad: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def client_loop() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while not stop.is_set():
                try:
                    if outcomes["requests"] % 2:
                        response = client.get("/items", params={"limit": 5})
                    else:
                        response = client.post("/items", json={**ITEM, "name": uuid.uuid4().hex})
                except httpx.TransportError as exc:  # a dropped connection
                    with lock:
                        outcomes["dropped"] += 1
                        bad.append(repr(exc))
                    continue
                with lock:
                    outcomes["requests"] += 1
                    outcomes[str(response.status_code)] += 1
                    if response.status_code == 503 and not (
                        response.headers.get("content-type") == PROBLEM_JSON
                        and int(response.headers.get("retry-after", "0")) >= 1
                    ):
                        bad.append(f"503 without problem+json/Retry-After: {response.headers}")
                    elif response.status_code not in (200, 201, 503):
                        bad.append(f"{response.status_code}: {response.text[:300]}")

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while outcomes["201"] < 20 and time.monotonic() < deadline:
        time.sleep(0.1)
    # `docker stop`: SIGTERM (a smart shutdown: new connections get 57P03 "shutting
    # down"), then SIGKILL after 3 s (open connections reset, then refused).
    container.get_wrapped_container().stop(timeout=3)
    before = outcomes["503"]
    deadline = time.monotonic() + 30
    while outcomes["503"] < before + 50 and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes["201"] >= 20, outcomes  # the load really ran against the database
    assert outcomes["503"] >= 50, outcomes  # and really met the outage
    assert outcomes["500"] == 0, (outcomes, bad[:5])
    assert outcomes["dropped"] == 0, (outcomes, bad[:5])
    assert not bad, (outcomes, bad[:5])
