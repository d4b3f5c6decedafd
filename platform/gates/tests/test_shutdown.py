"""The docker-stop rounds' verdict and log reading: the parts that need no container.

The rounds themselves run in `nox -s e2e` against the real service image.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import cast

import pytest
from slipway_gates.e2e import shutdown
from slipway_gates.e2e.shutdown import IDLE_CONNECTIONS, RunResult
from slipway_gates.e2e.stack import Stack


def _clean() -> RunResult:
    return RunResult(
        requests=120,
        closed_by_header=8,
        idle_closed_after=[0.4] * IDLE_CONNECTIONS,
        idle_closed_at=[1000.4] * IDLE_CONNECTIONS,
        listener_closed_at=1002.0,
        last_response_after=0.3,
        ready_503_after=0.1,
        exit_code=0,
        drain_seconds=2.0,
    )


def test_a_clean_round_has_no_problems() -> None:
    assert _clean().problems() == []
    assert "120 requests, 0 failed" in _clean().summary()


def test_a_dropped_request_fails_the_round() -> None:
    result = _clean()
    result.failures = ["ConnectionResetError: [Errno 104] Connection reset by peer"]
    assert result.problems() == [
        "1 of 120 requests failed: ['ConnectionResetError: [Errno 104] Connection reset by peer']"
    ]


def test_idle_connections_must_close_before_the_listener() -> None:
    late = _clean()
    late.idle_closed_at = [1002.15] * IDLE_CONNECTIONS  # closed with the listener, not before
    assert any("after the listener closed" in p for p in late.problems())
    never = _clean()
    never.idle_closed_after = never.idle_closed_at = []
    assert any("never closed by the server" in p for p in never.problems())


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"ready_503_after": None}, "/readyz never answered 503"),
        ({"exit_code": 70}, "exited with code 70"),
        ({"requests": 0}, "the load never ran"),
        ({"listener_closed_at": None}, "when did the listener close"),
    ],
)
def test_each_broken_promise_is_named(change: dict[str, object], expected: str) -> None:
    result = _clean()
    for key, value in change.items():
        setattr(result, key, value)
    assert any(expected in p for p in result.problems()), result.problems()


def test_the_latest_shutdown_log_lines_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def line(event: str, timestamp: str, **extra: object) -> str:
        return json.dumps({"event": event, "timestamp": timestamp, **extra})

    text = "\n".join(
        [
            line(
                "shutdown signal received: readiness is now false",
                "2026-01-01T00:00:00Z",
                drain_seconds=5.0,
            ),
            line(
                "draining: no new connections, waiting for in-flight requests",
                "2026-01-01T00:00:05Z",
            ),
            "not json: a restart's banner",
            line(
                "shutdown signal received: readiness is now false",
                "2026-01-01T00:01:00Z",
                drain_seconds=2.0,
            ),
            line(
                "draining: no new connections, waiting for in-flight requests",
                "2026-01-01T00:01:02.500000Z",
            ),
        ]
    )
    monkeypatch.setattr(shutdown, "logs", lambda container: text)
    drain, closed = shutdown._shutdown_log("gates-x-service")
    assert drain == 2.0
    assert closed == pytest.approx(1767225662.5)


def test_under_a_remote_daemon_the_clients_use_the_published_port() -> None:
    # GitLab's docker:dind: the stack network's gateway is on the daemon's host, not
    # here, so its bridge addresses are unreachable; DOCKER_HOST's host is not.
    remote = SimpleNamespace(gateway=lambda: "192.0.2.1", url="http://docker:32768")
    assert shutdown.client_address(cast(Stack, remote)) == ("docker", 32768)
