"""Prometheus: the shipped config passes `promtool check config`, and a real
Prometheus scraping a running chassis service evaluates the SLO rules on that data."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from obs_process_helpers import free_port, running, wait_until_ready
from slipway_observability import promtool, rules, yamlio
from slipway_observability.slo import SLOSpec, parse_spec

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
SAMPLE_SERVICE = Path(__file__).with_name("sample_service.py")
NO_K8S_SD = "field kubernetes_sd_configs not found"


def _without_kubernetes_sd(config: dict[str, Any]) -> dict[str, Any]:
    """Debian's Prometheus is built without Kubernetes discovery; swap it for file SD.

    The relabelling (the part that matters) is kept and still checked.
    """
    for job in config["scrape_configs"]:
        if job.pop("kubernetes_sd_configs", None) is not None:
            job["file_sd_configs"] = [{"files": ["/etc/prometheus/targets/*.json"]}]
    return config


@pytest.mark.requires("promtool")
def test_shipped_config_passes_promtool(tmp_path: Path) -> None:
    shipped = CONFIGS / "prometheus.yml"
    result = promtool.check_config(shipped)
    if not result.ok and NO_K8S_SD in result.output:
        config = _without_kubernetes_sd(yaml.safe_load(shipped.read_text()))
        result = promtool.check_config(yamlio.write(config, tmp_path / "prometheus.yml"))
    assert result.ok, result.output


def test_shipped_config_adds_the_labels_slo_rules_select_on() -> None:
    config = yaml.safe_load((CONFIGS / "prometheus.yml").read_text())
    job = config["scrape_configs"][0]
    targets = {r.get("target_label") for r in job["relabel_configs"]}
    assert {"service", "namespace", "pod"} <= targets


SPEC = {
    "service": "obs-it",
    "team": "platform",
    "runbook_url": "https://runbooks.example.com/obs-it",
    "window": "30d",
    "slos": {
        "availability": {"objective": 0.999},
        "latency": {"objective": 0.99, "threshold_seconds": 0.3},
    },
}
# Traffic mix per round: 8 ok, 1 fail (5xx), 1 slow (> 0.3 s): both SLIs' error ratio is 1/10.
MIX = ["/ok"] * 8 + ["/fail", "/slow"]


def _traffic(base: str, stop: threading.Event) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        while not stop.is_set():
            for path in MIX:
                client.get(path)


def _query(prom: str, expr: str) -> list[dict[str, Any]]:
    body = httpx.get(f"{prom}/api/v1/query", params={"query": expr}, timeout=10).json()
    assert body["status"] == "success", body
    return list(body["data"]["result"])


def _wait_for_value(prom: str, expr: str, timeout: float = 90) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = _query(prom, expr)
        if result and result[0]["value"][1] not in {"NaN", "+Inf", "-Inf"}:
            return float(result[0]["value"][1])
        time.sleep(1)
    pytest.fail(f"no value for {expr} after {timeout}s")


def _wait_for_at_least(prom: str, expr: str, minimum: float, timeout: float = 90) -> float:
    deadline = time.monotonic() + timeout
    value = float("nan")
    while time.monotonic() < deadline:
        value = _wait_for_value(prom, expr, timeout=max(1.0, deadline - time.monotonic()))
        if value >= minimum:
            return value
        time.sleep(1)
    pytest.fail(f"{expr} stayed below {minimum} for {timeout}s (last {value})")


def _wait_for_alert(prom: str, name: str, timeout: float = 60) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    alerts: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        alerts = httpx.get(f"{prom}/api/v1/alerts", timeout=10).json()["data"]["alerts"]
        if any(a["labels"]["alertname"] == name for a in alerts):
            break
        time.sleep(1)
    return alerts


@contextmanager
def _scraped_service(spec: SLOSpec, tmp_path: Path, mode: str) -> Iterator[tuple[str, str]]:
    """Run sample_service.py (`mode`: api|worker) and a real Prometheus scraping it every
    second with the spec's rules; yield (prometheus URL, first line of the app log)."""
    rule_file = yamlio.write(rules.prometheus_rules(spec), tmp_path / "rules.yml")
    app_port, prom_port = free_port(), free_port()
    config = yaml.safe_load((CONFIGS / "prometheus.yml").read_text())
    config["global"].update(scrape_interval="1s", evaluation_interval="1s", scrape_timeout="1s")
    config["rule_files"] = [str(rule_file)]
    config.pop("alerting")
    config["scrape_configs"] = [
        {
            "job_name": spec.service,
            "static_configs": [
                {"targets": [f"127.0.0.1:{app_port}"], "labels": {"service": spec.service}}
            ],
        }
    ]
    config_file = yamlio.write(config, tmp_path / "prometheus.yml")
    assert promtool.check_config(config_file).ok

    app_args = [sys.executable, str(SAMPLE_SERVICE), str(app_port), mode]
    prom_args = [
        "prometheus",
        f"--config.file={config_file}",
        f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{prom_port}",
    ]
    stop = threading.Event()
    with running(app_args, tmp_path / "app.log") as app:
        wait_until_ready(f"http://127.0.0.1:{app_port}/metrics", app)
        traffic = threading.Thread(
            target=_traffic, args=(f"http://127.0.0.1:{app_port}", stop), daemon=True
        )
        if mode == "api":
            traffic.start()
        try:
            with running(prom_args, tmp_path / "prometheus.log") as prom:
                base = f"http://127.0.0.1:{prom_port}"
                wait_until_ready(f"{base}/-/ready", prom)
                yield base, (tmp_path / "app.log").read_text().split("\n", 1)[0]
                scraped = _query(base, f'up{{job="{spec.service}"}}')
                assert scraped
                assert scraped[0]["value"][1] == "1"
        finally:
            stop.set()
            if traffic.is_alive():
                traffic.join(timeout=15)


@pytest.mark.requires("prometheus")
@pytest.mark.timeout(240)
def test_real_prometheus_evaluates_slo_rules_on_scraped_data(tmp_path: Path) -> None:
    sel = '{service="obs-it",slo="%s"}'
    with _scraped_service(parse_spec(SPEC), tmp_path, "api") as (base, app_kind):
        # Ratios read after only a few scrapes cover part of a traffic round (e.g. 1
        # failure in 7 requests); past 200 requests the round boundary moves them < 0.01.
        _wait_for_at_least(
            base, 'sum(increase(http_server_requests_total{service="obs-it"}[5m]))', 200
        )
        availability = _wait_for_value(base, "slo:sli_error:ratio_rate5m" + sel % "availability")
        latency = _wait_for_value(base, "slo:sli_error:ratio_rate5m" + sel % "latency")
        budget = _wait_for_value(base, "slo:error_budget_remaining:ratio" + sel % "availability")
        alerts = _wait_for_alert(base, "AvailabilityBudgetFastBurn")
    print(app_kind)  # chassis or prometheus-client fallback

    # 1 in 10 requests failed and 1 in 10 was slow: the recorded ratios say so.
    assert availability == pytest.approx(0.1, abs=0.04)
    assert latency == pytest.approx(0.1, abs=0.04)
    # 10% errors against a 0.1% budget: the budget is already overspent...
    assert budget < 0
    # ...and the page alert is on its way (pending for its 2m `for`, or firing).
    states = {a["labels"]["alertname"]: a["state"] for a in alerts}
    assert states.get("AvailabilityBudgetFastBurn") in {"pending", "firing"}, alerts
    assert all(a["labels"]["team"] == "platform" for a in alerts)


WORKER_SPEC = {
    "service": "obs-it-worker",
    "team": "platform",
    "runbook_url": "https://runbooks.example.com/obs-it-worker",
    "slos": {"queue_backlog": {"objective": 0.99, "max_age_seconds": 60}},
}


@pytest.mark.requires("prometheus")
@pytest.mark.timeout(240)
def test_real_prometheus_evaluates_queue_backlog_on_a_worker(tmp_path: Path) -> None:
    """The worker reports a 120 s old message against a 60 s limit: all time is bad."""
    sel = '{service="obs-it-worker",slo="queue_backlog"}'
    with _scraped_service(parse_spec(WORKER_SPEC), tmp_path, "worker") as (base, app_kind):
        bad = _wait_for_value(base, "slo:queue_backlog_bad:bool" + sel)
        ratio = _wait_for_value(base, "slo:sli_error:ratio_rate5m" + sel)
        alerts = _wait_for_alert(base, "QueueBacklogBudgetFastBurn")
    print(app_kind)

    assert bad == 1
    assert ratio == 1
    states = {a["labels"]["alertname"]: a["state"] for a in alerts}
    assert states.get("QueueBacklogBudgetFastBurn") in {"pending", "firing"}, alerts


def test_sample_service_is_runnable() -> None:
    """The helper script at least compiles (its real run is the test above)."""
    subprocess.run([sys.executable, "-m", "py_compile", str(SAMPLE_SERVICE)], check=True)
