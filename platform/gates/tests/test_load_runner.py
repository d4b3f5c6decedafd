"""A real, short locust run against a local HTTP server, judged end to end."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from slipway_contract import probes
from slipway_gates.load.judge import judge, read_final_stats
from slipway_gates.load.runner import PATHS_ENV, LoadPlan, paths_from_env, run_locust
from slipway_gates.outcome import Status
from slipway_observability.slo import LoadBudget


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        status = 500 if self.path == "/broken" else 200
        body = b'{"ok": true}'
        self.send_response(status)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.slow
def test_locust_run_writes_csv_and_html_and_is_judged(server: str, tmp_path: Path) -> None:
    plan = LoadPlan(host=server, users=4, spawn_rate=4, duration="4s", paths=("/broken",))
    code, reports = run_locust(plan, tmp_path / "reports")
    assert code in (0, 1)
    assert reports.html.is_file()
    assert "locust" in reports.html.read_text().lower()
    assert reports.stats_csv.is_file()
    stats = read_final_stats(reports.final_json)
    assert stats.requests > 0
    # Every request hits /broken (500): the error budget is blown and the judge says so.
    assert stats.failures == stats.requests
    result = judge(
        stats, LoadBudget(p95_seconds=1, p99_seconds=2, max_error_ratio=0.01), "slo.yaml"
    )
    assert result.status is Status.FAILED
    assert any("error ratio" in f for f in result.findings)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"users": 0}, "--users must be at least 1"),
        ({"spawn_rate": 0}, "--spawn-rate must be positive"),
        ({"duration": "soon"}, "--duration must look like 30s"),
        ({"host": "localhost:8000"}, "--host must be an http"),
    ],
)
def test_bad_load_parameters_are_named(kwargs: dict[str, Any], message: str) -> None:
    params: dict[str, Any] = {"host": "http://127.0.0.1:1", **kwargs}
    with pytest.raises(ValueError, match=message):
        LoadPlan(**params)


def test_the_default_locustfile_reads_the_plans_paths_or_the_liveness_probe() -> None:
    # paths_from_env is what the default locustfile runs in locust's interpreter.
    assert paths_from_env({PATHS_ENV: "/items, /livez,"}) == ["/items", "/livez"]
    assert paths_from_env({}) == [probes.LIVEZ]
