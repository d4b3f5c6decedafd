"""The Prometheus Adapter rules (platform/gitops/addons/prometheus-adapter.yaml)
select the chassis' request-duration histogram and compute the latency the HPA
scales on.

Each rule's seriesQuery and metricsQuery run in `promtool test rules` on
series shaped exactly like the chassis exports them: a prometheus-client
Histogram with the chassis' name and DURATION_BUCKETS produces the `le`
labels and cumulative counts. The metricsQuery is expanded the way the adapter
expands it for an HPA Object metric on a Service (`<<.Series>>`,
`<<.LabelMatchers>>`, `<<.GroupBy>>`); the adapter is a Go program with no
Python binding, hence the small hand-written expansion below.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from helm_render import ROOT, by_kind
from prometheus_client import CollectorRegistry, Histogram
from slipway_contract.metrics import DURATION_BUCKETS, HTTP_REQUEST_DURATION_SECONDS

pytestmark = pytest.mark.requires("promtool", "helm")

ADAPTER = ROOT / "platform" / "gitops" / "addons" / "prometheus-adapter.yaml"
SERVICE, NAMESPACE = "orders-api", "prod"
EVAL_AT = "15m"
PER_SCRAPE = 300  # requests per 30 s scrape


def _rules() -> list[dict[str, Any]]:
    return yaml.safe_load(ADAPTER.read_text())["rules"]["custom"]


def _bucket_counts(latencies: list[float]) -> dict[str, int]:
    """Cumulative `le` counts for these observations, as the chassis' histogram exports them."""
    registry = CollectorRegistry()
    histogram = Histogram(
        HTTP_REQUEST_DURATION_SECONDS, "chassis-shaped", ["method", "route"],
        buckets=DURATION_BUCKETS, registry=registry,
    )  # fmt: skip
    child = histogram.labels(method="GET", route="/items")
    for seconds in latencies:
        child.observe(seconds)
    return {
        s.labels["le"]: int(s.value)
        for metric in registry.collect() for s in metric.samples
        if s.name.endswith("_bucket")
    }  # fmt: skip


# One scrape's worth of requests (300): healthy is fast, degraded has a slow tail.
HEALTHY = [0.02] * 270 + [0.2] * 27 + [0.4] * 3  # p95 within 0.2 s, p99 ~0.4 s
DEGRADED = [0.2] * 150 + [0.9] * 120 + [2.2] * 30  # p95 and p99 above 1.5 s


def _series(latencies: list[float] | None) -> list[dict[str, str]]:
    """30 s scrapes over 20 minutes; None: the Service is idle (flat counters)."""
    counts = _bucket_counts(latencies or [0.1])
    labels = f'namespace="{NAMESPACE}",service="{SERVICE}",method="GET",route="/items"'
    step = (lambda n: n) if latencies else (lambda n: 0)
    return [
        {"series": f'{HTTP_REQUEST_DURATION_SECONDS}_bucket{{{labels},le="{le}"}}',
         "values": f"0+{step(n)}x40"}
        for le, n in counts.items()
    ]  # fmt: skip


def expand(query: str) -> str:
    """The adapter's expansion for an Object metric on Service SERVICE in NAMESPACE."""
    return (
        query.replace("<<.Series>>", f"{HTTP_REQUEST_DURATION_SECONDS}_bucket")
        .replace("<<.LabelMatchers>>", f'namespace="{NAMESPACE}",service="{SERVICE}"')
        .replace("<<.GroupBy>>", "service")
    )


def _promtool(tmp_path: Path, series: list[dict[str, str]], tests: list[dict[str, Any]]) -> str:
    path = tmp_path / "adapter-test.yaml"
    document = {
        "rule_files": [],
        "evaluation_interval": "30s",
        "tests": [{"interval": "30s", "input_series": series, "promql_expr_test": tests}],
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    proc = subprocess.run(
        ["promtool", "test", "rules", str(path)], capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    return proc.stdout + proc.stderr if proc.returncode else ""


def _at(expr: str, samples: list[dict[str, Any]]) -> dict[str, Any]:
    return {"expr": expr, "eval_time": EVAL_AT, "exp_samples": samples}


def test_rules_name_the_metrics_the_hpa_asks_for(rendered_matrix: dict[Any, Path]) -> None:
    """The rendered HPA's Object metrics are exactly the metrics the adapter serves."""
    served = set()
    for rule in _rules():
        assert re.fullmatch(rule["name"]["matches"], f"{HTTP_REQUEST_DURATION_SECONDS}_bucket")
        served.add(rule["name"]["as"])
        assert rule["resources"]["overrides"]["service"] == {"resource": "service"}
    asked = set()
    for path in rendered_matrix.values():
        manifests = [m for m in yaml.safe_load_all(path.read_text()) if m]
        for hpa in by_kind(manifests, "HorizontalPodAutoscaler"):
            asked |= {m["object"]["metric"]["name"] for m in hpa["spec"]["metrics"]
                      if m["type"] == "Object"}  # fmt: skip
    assert asked, "no rendered HPA asks for a latency metric"
    assert asked == served


def test_series_query_selects_the_chassis_histogram(tmp_path: Path) -> None:
    series = _series(HEALTHY)
    for rule in _rules():
        found = _promtool(
            tmp_path,
            series,
            [_at(f"count({rule['seriesQuery']})", [{"labels": "{}", "value": len(series)}])],
        )
        assert not found, found


@pytest.mark.parametrize(("traffic", "within"), [
    (HEALTHY, {"p95": 0.3, "p99": 1.0}),
    (DEGRADED, None),
])  # fmt: skip
def test_metrics_query_reads_the_latency(
    tmp_path: Path, traffic: list[float], within: dict[str, float] | None
) -> None:
    """Healthy: each quantile a value at or under the service's thresholds (0.3 s / 1 s);
    degraded: above 1.5 s. Either way one sample, labelled with the Service."""
    tests = []
    for rule in _rules():
        quantile = rule["name"]["as"].rsplit("_", 1)[-1]
        query = expand(rule["metricsQuery"])
        tests.append(_at(f"count({query})", [{"labels": "{}", "value": 1}]))
        tests.append(_at(f"count by (service) ({query})",
                         [{"labels": f'{{service="{SERVICE}"}}', "value": 1}]))  # fmt: skip
        check = f"({query}) <= {within[quantile]}" if within else f"({query}) > 1.5"
        tests.append(_at(f"count({check})", [{"labels": "{}", "value": 1}]))
    found = _promtool(tmp_path, _series(traffic), tests)
    assert not found, found


def test_idle_service_reads_zero_not_nothing(tmp_path: Path) -> None:
    """No requests: 0 s for the Service (scale-in allowed), not NaN or an empty answer."""
    tests = [
        _at(expand(rule["metricsQuery"]), [{"labels": f'{{service="{SERVICE}"}}', "value": 0}])
        for rule in _rules()
    ]
    found = _promtool(tmp_path, _series(None), tests)
    assert not found, found


def test_promtool_catches_a_wrong_claim(tmp_path: Path) -> None:
    """Not vacuous: claiming the degraded p95 is within 0.3 s fails."""
    query = expand(_rules()[0]["metricsQuery"])
    found = _promtool(
        tmp_path,
        _series(DEGRADED),
        [_at(f"count(({query}) <= 0.3)", [{"labels": "{}", "value": 1}])],
    )
    assert "FAILED" in found
