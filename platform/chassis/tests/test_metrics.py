"""Metrics: RED names/labels from CONTRACTS.md, promtool-valid exposition, multiprocess."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import pytest
from chassis_testkit import PYTHON, SAMPLE_SERVICE, free_port, subprocess_env
from prometheus_client import Counter, Gauge, Histogram
from slipway_chassis import ServiceSettings, _metrics, create_app
from slipway_chassis.testing import (
    OTLPReceiver,
    app_client,
    capture_logs,
    metric_value,
    parse_metrics,
)
from slipway_contract import metrics
from slipway_contract.metrics import GAUGE_MULTIPROCESS_MODES


def _app():  # type: ignore[no-untyped-def]
    app = create_app(ServiceSettings(service_version="3.1.4"))

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("kaboom")

    return app


def _count(text: str, route: str, status_class: str) -> float:
    return (
        metric_value(
            text, "http_server_requests_total", method="GET", route=route, status_class=status_class
        )
        or 0.0
    )


def test_red_metrics_by_route_template_and_status_class() -> None:
    app = _app()
    with capture_logs(), app_client(app, raise_server_exceptions=False) as client:
        before = client.get("/metrics").text
        for i in range(3):
            assert client.get(f"/items/{i}").status_code == 200
        assert client.get("/items/not-a-number").status_code == 422
        assert client.get("/boom").status_code == 500
        for path in ("/livez", "/readyz", "/startupz"):
            client.get(path)
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.history == []  # no redirect
    assert response.headers["content-type"].startswith("text/plain")
    after = response.text
    route = "/items/{item_id}"
    assert _count(after, route, "2xx") - _count(before, route, "2xx") == 3
    assert _count(after, route, "4xx") - _count(before, route, "4xx") == 1
    assert _count(after, "/boom", "5xx") - _count(before, "/boom", "5xx") == 1
    samples = parse_metrics(after)
    routes = {labels["route"] for labels, _ in samples["http_server_requests_total"]}
    assert not routes & {"/livez", "/readyz", "/startupz", "/metrics"}  # excluded
    assert "/items/0" not in routes  # never the raw path
    buckets = {
        labels["le"]
        for labels, _ in samples["http_server_request_duration_seconds_bucket"]
        if labels["route"] == route
    }
    assert {"0.3", "1.0", "+Inf"} <= buckets
    assert metric_value(after, "http_server_requests_in_flight") is not None
    assert (
        metric_value(
            after, "service_build_info", service="orders-api", version="3.1.4", environment="dev"
        )
        == 1.0
    )


@pytest.mark.requires("promtool")
def test_promtool_accepts_the_exposition(tmp_path: Path) -> None:
    app = _app()
    with capture_logs(), app_client(app) as client:
        client.get("/items/1")
        text = client.get("/metrics").text
    result = subprocess.run(
        ["promtool", "check", "metrics"], input=text, capture_output=True, text=True, check=False
    )
    # promtool exits 0 when the text parses; lint findings (if any) go to stderr with 3.
    assert result.returncode == 0, result.stderr + result.stdout


def test_metrics_disabled_hides_the_endpoint(chassis_env: pytest.MonkeyPatch) -> None:
    chassis_env.setenv("METRICS_ENABLED", "false")
    app = create_app(ServiceSettings())
    with capture_logs(), app_client(app) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/livez").status_code == 200


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_multiprocess_mode_aggregates_two_workers(tmp_path: Path) -> None:
    """Two forked uvicorn workers: one metrics view, and tracing initialised in each.

    Metrics: both write to PROMETHEUS_MULTIPROC_DIR, a scrape sums them. Tracing:
    each worker set its provider up after the fork, so spans arrive from both pids.
    """
    port = free_port()
    mp_dir = tmp_path / "prom"
    mp_dir.mkdir()
    receiver = OTLPReceiver().__enter__()
    env = subprocess_env(
        PROMETHEUS_MULTIPROC_DIR=str(mp_dir),
        OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
        OTEL_BSP_SCHEDULE_DELAY="200",  # export within 0.2 s instead of 5 s
    )
    server = subprocess.Popen(
        [PYTHON, "-m", "uvicorn", "--app-dir", str(SAMPLE_SERVICE.parent), "sample_service:app",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/startupz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "uvicorn workers never started"
            time.sleep(0.2)
        pids: set[str] = set()
        for i in range(60):
            # A fresh connection per request so the kernel spreads them over both workers.
            with httpx.Client() as client:
                assert client.get(f"{base}/items/{i}").status_code == 200
        pids = {p.name for p in mp_dir.iterdir()}
        text = httpx.get(f"{base}/metrics").text
        spans = receiver.wait_for_spans(60, timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=30)
        receiver.__exit__(None, None, None)
    assert len({name.rsplit("_", 1)[-1] for name in pids}) >= 2, pids  # files of 2+ processes
    span_pids = {s.resource["process.pid"] for s in spans}
    assert len(span_pids) >= 2, span_pids
    assert {s.name for s in spans} == {"GET /items/{item_id}"}
    total = metric_value(text, "http_server_requests_total", method="GET", route="/items/{item_id}")
    assert total == 60


def test_every_gauge_is_declared_with_the_contract_multiprocess_mode() -> None:
    """Dashboards aggregate a gauge across replicas by slipway_contract's mode for it,
    so a chassis gauge missing there (or declared with another mode) would be summed
    or maxed wrongly on every dashboard."""
    declared = {
        # prometheus-client keeps the name and the mode private.
        gauge._name: gauge._multiprocess_mode
        for gauge in vars(_metrics).values()
        if isinstance(gauge, Gauge)
    }
    assert declared == GAUGE_MULTIPROCESS_MODES


def test_every_metric_is_named_and_labelled_as_the_contract_says() -> None:
    """Rules and dashboards query slipway_contract's names: a chassis metric or label
    outside them would be a series nothing reads."""
    declared = {
        # prometheus-client keeps the name and the label names private.
        metric._name: metric._labelnames
        for metric in vars(_metrics).values()
        if isinstance(metric, Counter | Gauge | Histogram)
    }
    assert {metrics.family(n) for n in metrics.METRIC_NAMES} == set(declared)
    contract_labels = {v for k, v in vars(metrics).items() if k.startswith("LABEL_")}
    for name, labels in declared.items():
        assert set(labels) <= contract_labels, (name, set(labels) - contract_labels)
