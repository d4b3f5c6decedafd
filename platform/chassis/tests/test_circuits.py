"""`dependency_breaker` around a real TCP dependency that goes away and comes back."""

from __future__ import annotations

import asyncio
import socket

import pytest
from slipway_chassis import (
    CircuitOpenError,
    DependencyCircuit,
    DependencyUnavailableError,
    HealthCheck,
    ServiceSettings,
    create_app,
    dependency_breaker,
)
from slipway_chassis._metrics import render_metrics
from slipway_chassis.testing import app_client, capture_logs, metric_value


class LineServer:
    """A real TCP server on 127.0.0.1 that answers `pong` to each connection; can stop."""

    def __init__(self) -> None:
        with socket.socket() as probe:  # a free port we can bind again after a stop
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        async def answer(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"pong\n")
            await writer.drain()
            writer.close()

        self._server = await asyncio.start_server(answer, "127.0.0.1", self.port)

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def ping(self) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        line = await reader.readline()
        writer.close()
        return line


def _breaker(name: str, **kwargs: float) -> DependencyCircuit:
    return dependency_breaker(
        name, failure_threshold=3, recovery_timeout_seconds=kwargs.pop("recovery", 0.3), **kwargs
    )


async def _until_not_open(circuit: DependencyCircuit) -> None:
    # Poll the breaker's own clock instead of guessing a sleep.
    while circuit.state == "open":
        await asyncio.sleep(0.02)


def test_outage_opens_the_circuit_and_recovery_closes_it() -> None:
    async def scenario() -> None:
        server = LineServer()
        circuit = _breaker("cache")
        await server.start()
        assert await circuit.call(server.ping) == b"pong\n"
        await server.stop()  # outage: connections are refused (OSError)
        for _ in range(3):
            with pytest.raises(DependencyUnavailableError) as failed:
                async with circuit.guard():
                    await server.ping()
            assert isinstance(failed.value.__cause__, ConnectionRefusedError)
            assert failed.value.dependency == "cache"
        assert circuit.state == "open"
        ran = False
        with pytest.raises(CircuitOpenError) as info:
            async with circuit.guard():
                ran = True
        assert not ran  # failed fast: the body never ran
        assert info.value.dependency == "cache"
        assert 0 < info.value.retry_after_seconds <= 0.3
        await server.start()  # recovery
        await _until_not_open(circuit)
        assert circuit.state == "half_open"
        assert await circuit.call(server.ping) == b"pong\n"  # the trial call closes it
        assert circuit.state == "closed"
        await server.stop()

    with capture_logs() as logs:
        asyncio.run(scenario())
    changes = [(e["previous"], e["state"]) for e in logs.events("circuit breaker state changed")]
    assert changes == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]
    assert all(e["dependency"] == "cache" for e in logs.events("circuit breaker state changed"))
    text = render_metrics().decode()
    assert metric_value(text, "circuit_breaker_state", dependency="cache") == 0
    for outcome, count in (("success", 2), ("error", 3), ("circuit_open", 1)):
        got = metric_value(text, "dependency_requests_total", dependency="cache", outcome=outcome)
        assert got == count, outcome
    assert metric_value(text, "dependency_request_duration_seconds_count", dependency="cache") == 5


def test_application_errors_do_not_count_against_the_dependency() -> None:
    circuit = _breaker("ledger")

    async def rejected() -> None:
        raise ValueError("duplicate key")  # the dependency answered: not an outage

    async def scenario() -> None:
        for _ in range(5):
            with pytest.raises(ValueError, match="duplicate key"):
                await circuit.call(rejected)

    asyncio.run(scenario())
    assert circuit.state == "closed"
    text = render_metrics().decode()
    errors = metric_value(text, "dependency_requests_total", dependency="ledger", outcome="error")
    assert not errors


def test_slow_calls_time_out_and_count_as_failures() -> None:
    circuit = dependency_breaker(
        "slowdb", timeout_seconds=0.05, failure_threshold=2, recovery_timeout_seconds=30
    )

    @circuit
    async def hang() -> None:
        await asyncio.Event().wait()  # never answers

    async def scenario() -> None:
        for _ in range(2):
            with pytest.raises(DependencyUnavailableError) as failed:
                await hang()
            assert isinstance(failed.value.__cause__, TimeoutError)
        with pytest.raises(CircuitOpenError):
            await hang()

    with capture_logs():
        asyncio.run(scenario())
    text = render_metrics().decode()
    timeouts = metric_value(
        text, "dependency_requests_total", dependency="slowdb", outcome="timeout"
    )
    assert timeouts == 2
    assert metric_value(text, "circuit_breaker_state", dependency="slowdb") == 2


def test_open_circuit_fails_readiness_and_maps_to_503() -> None:
    settings = ServiceSettings()
    circuit = dependency_breaker("database", failure_threshold=1, recovery_timeout_seconds=30)

    @circuit
    async def query() -> int:
        raise ConnectionRefusedError("connection refused")

    app = create_app(settings, readiness_checks=[HealthCheck("database", query)])

    @app.get("/rows")
    async def rows() -> dict[str, int]:
        return {"rows": await query()}

    with capture_logs(), app_client(app) as http:
        ready = http.get("/readyz")  # the failing check opens the breaker
        assert ready.status_code == 503
        response = http.get("/rows")
        again = http.get("/readyz")
    assert response.status_code == 503
    assert 1 <= int(response.headers["retry-after"]) <= 30
    assert response.json()["dependency"] == "database"
    assert again.status_code == 503
    assert "CircuitOpenError" in again.text


def test_bad_arguments_name_the_parameter() -> None:
    with pytest.raises(ValueError, match=r"timeout_seconds: must be > 0 or None"):
        dependency_breaker("db", timeout_seconds=0)
    with pytest.raises(ValueError, match=r"failure_exceptions: must be a non-empty tuple"):
        dependency_breaker("db", failure_exceptions=())
    with pytest.raises(ValueError, match=r"dependency: must name the dependency"):
        dependency_breaker("")
    with pytest.raises(ValueError, match=r"failure_threshold: must be >= 1"):
        dependency_breaker("db", failure_threshold=0)


def test_a_caller_giving_up_is_no_verdict_on_the_dependency() -> None:
    circuit = dependency_breaker("search", failure_threshold=1, recovery_timeout_seconds=30)

    @circuit
    async def hang() -> None:
        await asyncio.Event().wait()

    async def scenario() -> None:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(hang(), timeout=0.05)  # the caller's own timeout

    asyncio.run(scenario())
    assert circuit.state == "closed"
