"""Health endpoints: `/livez`, `/readyz`, `/startupz` as plain ASGI callables.

- `/livez`: the process answers; never looks at dependencies (a dead database
  must not get every pod restarted).
- `/readyz`: runs the registered `HealthCheck`s concurrently, each under its own
  timeout; 200, or 503 with per-check JSON. 503 at once when shutdown began.
- `/startupz`: 200 once the lifespan start-up completed, 503 before.

They are answered by the chassis middleware before routing, tracing and RED
metrics (the contract excludes them), so a probe costs less than a bare route.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from slipway_contract import probes  # the paths, written once (CONTRACTS.md)

from slipway_chassis._asgi import ASGISend

LIVEZ_PATH = probes.LIVEZ
READYZ_PATH = probes.READYZ
STARTUPZ_PATH = probes.STARTUPZ
METRICS_PATH = probes.METRICS
# A frozenset: the middleware looks every request's path up in it.
HEALTH_PATHS = frozenset(probes.HEALTH_PATHS)

CheckFunction = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class HealthCheck:
    """A readiness check: `check()` raises, or returns False, when the dependency is unusable.

    >>> async def database() -> None:
    ...     await pool.execute("SELECT 1")
    >>> HealthCheck("database", database, timeout_seconds=1.0)
    """

    name: str
    check: CheckFunction
    timeout_seconds: float = 2.0

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("HealthCheck.name: must be a non-empty string")
        if self.timeout_seconds <= 0:
            raise ValueError(
                f"HealthCheck({self.name!r}).timeout_seconds: must be > 0, "
                f"got {self.timeout_seconds}"
            )


async def _run_one(check: HealthCheck) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(check.timeout_seconds):
            result = await check.check()
    except TimeoutError:
        outcome: dict[str, Any] = {
            "status": "fail",
            "error": f"timed out after {check.timeout_seconds}s",
        }
    except Exception as exc:
        outcome = {"status": "fail", "error": f"{type(exc).__name__}: {exc}"}
    else:
        outcome = (
            {"status": "fail", "error": "check returned False"}
            if result is False
            else {"status": "ok"}
        )
    outcome["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
    return outcome


@dataclass
class HealthState:
    """Start-up, readiness and shutdown state of one service process."""

    checks: tuple[HealthCheck, ...] = ()
    started: bool = False
    shutting_down: bool = False
    _names: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        for check in self.checks:
            self._register_name(check.name)

    def _register_name(self, name: str) -> None:
        if name in self._names:
            raise ValueError(f"HealthCheck name {name!r} registered twice: names must be unique")
        self._names.add(name)

    def add_check(self, check: HealthCheck) -> None:
        """Register another readiness check (e.g. from a service's own lifespan)."""
        self._register_name(check.name)
        self.checks = (*self.checks, check)

    def begin_shutdown(self) -> None:
        """Readiness turns false now; called from the SIGTERM handler."""
        self.shutting_down = True

    async def readiness(self) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON body) for `/readyz`."""
        if self.shutting_down:
            return 503, {"status": "shutting_down"}
        if not self.started:
            return 503, {"status": "starting"}
        results = await asyncio.gather(*(_run_one(c) for c in self.checks))
        detail = {c.name: r for c, r in zip(self.checks, results, strict=True)}
        ok = all(r["status"] == "ok" for r in results)
        return (200 if ok else 503), {"status": "ok" if ok else "fail", "checks": detail}


async def send_bytes(
    send: ASGISend, status: int, body: bytes, content_type: bytes, extra: list[Any] | None = None
) -> None:
    """Send a complete response from an ASGI callable."""
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if extra:
        headers.extend(extra)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_JSON = b"application/json"
_LIVE_BODY = orjson.dumps({"status": "ok"})
_CACHE = [(b"cache-control", b"no-store")]


async def respond_probe(state: HealthState, path: str, send: ASGISend) -> None:
    """Answer one of the probe paths."""
    if path == LIVEZ_PATH:
        await send_bytes(send, 200, _LIVE_BODY, _JSON, _CACHE)
    elif path == STARTUPZ_PATH:
        status = 200 if state.started else 503
        body = {"status": "ok" if state.started else "starting"}
        await send_bytes(send, status, orjson.dumps(body), _JSON, _CACHE)
    else:
        status, payload = await state.readiness()
        await send_bytes(send, status, orjson.dumps(payload), _JSON, _CACHE)
