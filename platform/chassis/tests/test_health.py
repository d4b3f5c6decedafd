"""Health: /livez never checks dependencies; /readyz runs checks concurrently with timeouts."""

from __future__ import annotations

import asyncio

import pytest
from slipway_chassis import HealthCheck, HealthState, ServiceSettings, create_app
from slipway_chassis.testing import app_client, capture_logs
from starlette.testclient import TestClient


def test_readyz_runs_checks_concurrently() -> None:
    """Each check waits for the other to have started: run one after the other, both time out."""
    started: list[str] = []
    both = asyncio.Event()

    def check(name: str):  # type: ignore[no-untyped-def]
        async def run() -> None:
            started.append(name)
            if len(started) == 2:
                both.set()
            await both.wait()

        return HealthCheck(name, run, timeout_seconds=5)

    state = HealthState((check("db"), check("cache")), started=True)
    status, body = asyncio.run(state.readiness())
    assert status == 200, body
    assert set(body["checks"]) == {"db", "cache"}


def test_readyz_reports_each_failure_with_detail() -> None:
    async def ok() -> None:
        return None

    async def refused() -> None:
        raise ConnectionRefusedError("db:5432 refused")

    async def hangs() -> None:
        await asyncio.Event().wait()

    async def says_no() -> bool:
        return False

    checks = [
        HealthCheck("ok", ok),
        HealthCheck("db", refused),
        HealthCheck("cache", hangs, timeout_seconds=0.05),
        HealthCheck("flag", says_no),
    ]
    app = create_app(ServiceSettings(), readiness_checks=checks)
    with capture_logs(), app_client(app) as client:
        response = client.get("/readyz")
        live = client.get("/livez")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["ok"]["status"] == "ok"
    assert body["checks"]["db"] == {
        "status": "fail",
        "error": "ConnectionRefusedError: db:5432 refused",
        "duration_ms": body["checks"]["db"]["duration_ms"],
    }
    assert body["checks"]["cache"]["error"] == "timed out after 0.05s"
    assert body["checks"]["flag"]["error"] == "check returned False"
    assert live.status_code == 200  # liveness ignores dependencies


def test_startupz_and_readyz_before_and_after_lifespan() -> None:
    app = create_app(ServiceSettings())
    with capture_logs():
        cold = TestClient(app)  # not entered: the lifespan has not run
        assert cold.get("/startupz").status_code == 503
        assert cold.get("/readyz").json() == {"status": "starting"}
        with app_client(app) as client:
            assert client.get("/startupz").status_code == 200
            app.state.health.begin_shutdown()
            assert client.get("/readyz").json() == {"status": "shutting_down"}
            assert client.get("/readyz").status_code == 503
            assert client.get("/livez").status_code == 200


def test_health_check_validation_names_the_field() -> None:
    async def ok() -> None:
        return None

    with pytest.raises(ValueError, match=r"HealthCheck\('db'\).timeout_seconds: must be > 0"):
        HealthCheck("db", ok, timeout_seconds=0)
    with pytest.raises(ValueError, match="registered twice"):
        HealthState((HealthCheck("db", ok), HealthCheck("db", ok)))
