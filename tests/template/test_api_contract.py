"""A freshly generated HTTP service keeps the contract its OpenAPI document states.

Renders an http-api service without a database (the PostgreSQL-backed example,
services/orders-api, runs the same property-based test against a real
PostgreSQL in its own tests), starts it as its container does
(`python -m <package>`), and lets schemathesis generate valid and invalid
requests for every operation: no 5xx, and every status, content type, header
and body is one the document declares (errors as problem+json).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
from template_rendering import render

pytestmark = pytest.mark.timeout(300)
ANSWERS = {
    "service_name": "quotes-api",
    "service_kind": "http-api",
    "database": "none",
    "ci_provider": "github",
    "repo_mode": "monorepo",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(template_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = render(template_src, tmp_path_factory.mktemp("contract") / "quotes-api", ANSWERS)
    port = _free_port()
    log_file = project / "server.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "quotes_api"],
        env={
            **os.environ,
            "SERVICE_NAME": "quotes-api",
            "APP_ENV": "dev",
            "HTTP_PORT": str(port),
            "PYTHONPATH": str(project / "src"),
        },
        stdout=log_file.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_file.read_text()
            try:
                if httpx.get(f"{base}/startupz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "no /startupz 200 within 60 s"
            time.sleep(0.2)
        yield base
    finally:
        process.kill()
        process.wait(timeout=10)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_service_conforms_to_its_openapi_document(
    server: str, mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            pytest.fail(f"the OpenAPI document is invalid: {result.err()}")
        operations.append(result.ok())
    assert {op.label for op in operations} >= {"POST /items", "GET /items/{item_id}"}
    for operation in operations:
        # Bounded: 20 generated requests per operation and mode (a few seconds in CI).
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def conforms(case: Case[Any]) -> None:
            case.call_and_validate(checks=CHECKS, timeout=30)

        conforms()
