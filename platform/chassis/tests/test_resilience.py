"""Resilience against a real local HTTP server that fails on demand."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from slipway_chassis import CircuitOpenError, ServiceSettings, create_app, resilient_client
from slipway_chassis._metrics import render_metrics
from slipway_chassis.testing import app_client, capture_logs, metric_value


class FlakyServer:
    """A real HTTP server on 127.0.0.1 answering `status` (500 by default) and counting hits."""

    def __init__(self) -> None:
        self.status = 503
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                outer.hits += 1
                length = int(self.headers.get("content-length", "0"))
                self.rfile.read(length)
                body = b'{"ok": true}'
                self.send_response(outer.status)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def flaky() -> Iterator[FlakyServer]:
    server = FlakyServer()
    yield server
    server.close()


def _client(settings: ServiceSettings, url: str, **kwargs: Any) -> httpx.AsyncClient:
    return resilient_client(
        settings,
        dependency="inventory",
        base_url=url,
        retries=kwargs.pop("retries", 0),
        failure_threshold=3,
        recovery_timeout_seconds=0.5,
        **kwargs,
    )


def test_breaker_opens_fails_fast_and_closes_after_recovery(flaky: FlakyServer) -> None:
    settings = ServiceSettings()

    async def scenario() -> None:
        client = _client(settings, flaky.url)
        for _ in range(3):  # N = failure_threshold failures open the breaker
            assert (await client.get("/stock")).status_code == 503
        assert flaky.hits == 3
        with pytest.raises(CircuitOpenError) as info:
            await client.get("/stock")
        assert info.value.dependency == "inventory"
        assert 0 < info.value.retry_after_seconds <= 0.5
        assert flaky.hits == 3  # failed fast: the server was not called
        flaky.status = 200  # the server recovers
        # Wait for the reset timeout by polling the breaker's own clock, not a sleep guess.
        transport = client._transport
        while transport.circuit.state == "open":  # type: ignore[attr-defined]
            await asyncio.sleep(0.05)
        assert (await client.get("/stock")).status_code == 200  # half-open trial succeeds
        assert transport.circuit.state == "closed"  # type: ignore[attr-defined]
        assert (await client.get("/stock")).status_code == 200
        await client.aclose()

    with capture_logs() as logs:
        asyncio.run(scenario())
    changes = [(e["previous"], e["state"]) for e in logs.events("circuit breaker state changed")]
    assert changes == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]
    text = render_metrics().decode()
    assert metric_value(text, "circuit_breaker_state", dependency="inventory") == 0
    assert metric_value(
        text, "dependency_requests_total", dependency="inventory", outcome="circuit_open"
    )


def test_retries_only_idempotent_methods(flaky: FlakyServer) -> None:
    settings = ServiceSettings()

    async def scenario() -> tuple[int, int]:
        client = _client(settings, flaky.url, retries=2)
        await client.get("/stock")
        after_get = flaky.hits
        await client.post("/orders", json={"sku": 1})
        await client.aclose()
        return after_get, flaky.hits - after_get

    with capture_logs():
        get_hits, post_hits = asyncio.run(scenario())
    assert get_hits == 3  # 1 try + 2 retries
    assert post_hits == 1  # POST is never retried


def test_connection_refused_counts_as_failure() -> None:
    settings = ServiceSettings()
    dead = FlakyServer()
    url = dead.url
    dead.close()  # nothing listens there any more

    async def scenario() -> None:
        client = _client(settings, url)
        for _ in range(3):
            with pytest.raises(httpx.ConnectError):
                await client.get("/stock")
        with pytest.raises(CircuitOpenError):
            await client.get("/stock")
        await client.aclose()

    with capture_logs():
        asyncio.run(scenario())


def test_app_maps_open_circuit_to_503_with_retry_after(flaky: FlakyServer) -> None:
    settings = ServiceSettings()
    app = create_app(settings)
    client = resilient_client(
        settings, dependency="pricing", base_url=flaky.url, retries=0, failure_threshold=1,
        recovery_timeout_seconds=30,
    )  # fmt: skip

    @app.get("/price")
    async def price() -> dict[str, int]:
        response = await client.get("/p")
        return {"upstream": response.status_code}

    with capture_logs(), app_client(app) as http:
        assert http.get("/price").json() == {"upstream": 503}  # opens the breaker
        started = time.monotonic()
        response = http.get("/price")
    assert response.status_code == 503
    assert 1 <= int(response.headers["retry-after"]) <= 30
    assert response.json()["dependency"] == "pricing"
    assert time.monotonic() >= started  # (no timing assertion; fail-fast shown by hits)
    assert flaky.hits == 1


def test_bad_arguments_name_the_parameter() -> None:
    settings = ServiceSettings()
    with pytest.raises(ValueError, match="failure_threshold: must be >= 1"):
        resilient_client(settings, dependency="x", base_url="http://x", failure_threshold=0)
    with pytest.raises(ValueError, match=r"resilient_client\(dependency=...\)"):
        resilient_client(settings, dependency="", base_url="http://x")
