"""The rollout analysis queries, run by `promtool test rules` on synthetic series.

The queries and thresholds come from the rendered AnalysisTemplate. Argo
Rollouts' conditions are translated to PromQL exactly: the chart only renders
`len(result) > 0 && !isNaN(result[0]) && result[0] OP THRESHOLD`, and a PromQL
comparison `(query) OP THRESHOLD` keeps a sample under precisely the same
terms (an empty result stays empty, NaN compares false). So a measurement is a
success when the success expression returns a sample, a failure when the
failure expression does, and inconclusive when neither does.

Scenarios: a healthy canary passes, a slow canary fails on p95, an erroring
canary fails on success rate and on 5xx ratio versus stable, and a canary with
no traffic (flat series: NaN; or no series at all) is inconclusive, never a pass.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from helm_render import Combination, one

pytestmark = pytest.mark.requires("helm", "promtool")

CONDITION = re.compile(
    r"^len\(result\) > 0 && !isNaN\(result\[0\]\) && result\[0\] (>=|<=|<|>) ([0-9.]+)$"
)
CANARY, STABLE = "canary7f9c", "stable5d8b"
EVAL_AT = "20m"
PER_MINUTE = 600  # work items per minute per revision


@dataclass(frozen=True)
class Traffic:
    """What one revision did per minute: items, failed items, items within the threshold."""

    total: int = PER_MINUTE
    failed: int = 0
    fast: int = PER_MINUTE


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: str
    canary: Traffic | None  # None: the canary has no series at all
    expected: dict[str, str]  # metric name -> success | failure | inconclusive


HEALTHY = Traffic(failed=1, fast=594)  # 99.8 % ok, 99 % under the threshold
OK = {"success-rate": "success", "latency-p95": "success", "error-ratio-vs-stable": "success"}
UNKNOWN = dict.fromkeys(OK, "inconclusive")
SCENARIOS = [
    Scenario("healthy canary passes", "http-api", HEALTHY, OK),
    Scenario("slow canary fails", "http-api", Traffic(failed=1, fast=480),
             {**OK, "latency-p95": "failure"}),
    Scenario("erroring canary fails", "http-api", Traffic(failed=60, fast=594),
             {**OK, "success-rate": "failure", "error-ratio-vs-stable": "failure"}),
    Scenario("canary without traffic is NaN: inconclusive", "http-api", Traffic(0, 0, 0), UNKNOWN),
    Scenario("canary without series: inconclusive", "http-api", None, UNKNOWN),
    Scenario("healthy worker canary passes", "queue-worker", HEALTHY, OK),
    Scenario("slow worker canary fails", "queue-worker", Traffic(failed=0, fast=300),
             {**OK, "latency-p95": "failure"}),
    Scenario("dead-lettering worker canary fails", "queue-worker", Traffic(failed=30, fast=594),
             {**OK, "success-rate": "failure", "error-ratio-vs-stable": "failure"}),
    Scenario("idle worker canary is NaN: inconclusive", "queue-worker", Traffic(0, 0, 0), UNKNOWN),
]  # fmt: skip

SERIES = {
    "http-api": {
        "total": "http_server_requests_total",
        "ok": 'status_class="2xx",method="GET",route="/items/{item_id}"',
        "bad": 'status_class="5xx",method="GET",route="/items/{item_id}"',
        "histogram": "http_server_request_duration_seconds",
        "hist_labels": 'method="GET",route="/items/{item_id}"',
    },
    "queue-worker": {
        "total": "queue_messages_total",
        "ok": 'queue="events",outcome="acked"',
        "bad": 'queue="events",outcome="dead_lettered"',
        "histogram": "queue_message_processing_seconds",
        "hist_labels": 'queue="events"',
    },
}


def _template(rendered: dict[Combination, Path], kind: str) -> tuple[dict[str, Any], Combination]:
    combo, path = next((c, p) for c, p in rendered.items() if c.name == f"stage-canary-{kind}")
    manifests = [m for m in yaml.safe_load_all(path.read_text()) if m]
    return one(manifests, "AnalysisTemplate"), combo


def _series(kind: str, selector: str, traffic: Traffic, le: str) -> list[dict[str, str]]:
    s = SERIES[kind]
    ok = traffic.total - traffic.failed

    def counter(name: str, labels: str, per_minute: int) -> dict[str, str]:
        return {"series": f"{name}{{{selector},{labels}}}", "values": f"0+{per_minute}x30"}

    h, hl = s["histogram"], s["hist_labels"]
    return [
        counter(s["total"], s["ok"], ok),
        counter(s["total"], s["bad"], traffic.failed),
        counter(f"{h}_bucket", f'{hl},le="{le}"', traffic.fast),
        counter(f"{h}_bucket", f'{hl},le="+Inf"', traffic.total),
        counter(f"{h}_count", hl, traffic.total),
    ]


def _condition(metric: dict[str, Any], field: str) -> tuple[str, str]:
    match = CONDITION.match(metric[field])
    assert match, f"{metric['name']}.{field} is not in the NaN-guarded form: {metric[field]!r}"
    return match.group(1), match.group(2)


def _expr_tests(metric: dict[str, Any], query: str, outcome: str) -> list[dict[str, Any]]:
    found = []
    for field, when in (("successCondition", "success"), ("failureCondition", "failure")):
        op, threshold = _condition(metric, field)
        expected = [{"labels": "{}", "value": 1}] if outcome == when else []
        found.append(
            {"expr": f"count(({query}) {op} {threshold})", "eval_time": EVAL_AT,
             "exp_samples": expected}
        )  # fmt: skip
    return found


def promtool_file(template: dict[str, Any], combo: Combination, scenario: Scenario) -> dict:
    selector = f'service="{combo.release}",namespace="{combo.env}"'
    queries = {m["name"]: m for m in template["spec"]["metrics"]}
    latency = queries["latency-p95"]["provider"]["prometheus"]["query"]
    le = re.search(r'\ble="([^"]+)"', latency)
    assert le, latency
    series = _series(
        scenario.kind, f'{selector},rollouts_pod_template_hash="{STABLE}"', HEALTHY, le.group(1)
    )
    if scenario.canary is not None:
        series += _series(
            scenario.kind,
            f'{selector},rollouts_pod_template_hash="{CANARY}"',
            scenario.canary,
            le.group(1),
        )
    tests = []
    assert set(queries) == set(scenario.expected)
    for name, metric in queries.items():
        query = (
            metric["provider"]["prometheus"]["query"]
            .replace("{{args.canary-hash}}", CANARY)
            .replace("{{args.stable-hash}}", STABLE)
        )
        tests += _expr_tests(metric, query, scenario.expected[name])
        if scenario.canary == Traffic(0, 0, 0) and name != "error-ratio-vs-stable":
            # No traffic really is NaN (0/0), not 0 or 1: NaN is the only value != itself.
            tests.append(
                {"expr": f"count(({query}) != ({query}))", "eval_time": EVAL_AT,
                 "exp_samples": [{"labels": "{}", "value": 1}]}
            )  # fmt: skip
    return {
        "rule_files": [],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": series, "promql_expr_test": tests}],
    }


def run_promtool(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["promtool", "test", "rules", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_analysis_queries_on_synthetic_series(
    rendered_matrix: dict[Combination, Path], tmp_path: Path, scenario: Scenario
) -> None:
    template, combo = _template(rendered_matrix, scenario.kind)
    path = tmp_path / "analysis-test.yaml"
    path.write_text(yaml.safe_dump(promtool_file(template, combo, scenario), sort_keys=False))
    proc = run_promtool(path)
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}\n--- {path}\n{path.read_text()}"
    assert "SUCCESS" in proc.stdout


def test_promtool_catches_a_wrong_expectation(
    rendered_matrix: dict[Combination, Path], tmp_path: Path
) -> None:
    """Claiming the slow canary passes must make promtool fail: the tests can fail."""
    template, combo = _template(rendered_matrix, "http-api")
    lie = Scenario("slow canary claimed healthy", "http-api", Traffic(failed=1, fast=480), OK)
    path = tmp_path / "wrong.yaml"
    path.write_text(yaml.safe_dump(promtool_file(template, combo, lie), sort_keys=False))
    proc = run_promtool(path)
    assert proc.returncode != 0
    assert "FAILED" in proc.stdout + proc.stderr


# ------------------------------------------------------------------ a new version starting cold
# Scrapes every 30 s. The stable version has run for ten minutes when the new
# version's pods appear (canary for a canary rollout, the preview for blueGreen).
SCRAPE = "30s"
START_STEPS = 20  # the new version's first scrape: 10 minutes in
DEGRADED = Traffic(failed=60, fast=480)  # 10 % failed, 80 % within the threshold


def _late_series(kind: str, selector: str, traffic: Traffic, le: str) -> list[dict[str, str]]:
    """Counters of a version whose first scrape is at START_STEPS (half a minute's worth each)."""
    series = _series(kind, selector, traffic, le)
    for s in series:
        per_minute = int(s["values"].split("+")[1].split("x")[0])
        s["values"] = f"_x{START_STEPS} 0+{per_minute // 2}x40"
    return series


def _minutes(duration: str) -> float:
    number, unit = re.fullmatch(r"(\d+)([smh])", duration).groups()  # type: ignore[union-attr]
    return int(number) * {"s": 1 / 60, "m": 1, "h": 60}[unit]


def late_start_file(
    template: dict[str, Any], combo: Combination, traffic: Traffic, expected: dict[str, str]
) -> dict[str, Any]:
    """Each metric at the new version's first scrape (no delay: inconclusive) and at
    initialDelay after it (a value: the expected success or failure)."""
    selector = f'service="{combo.release}",namespace="{combo.env}"'
    metrics = {m["name"]: m for m in template["spec"]["metrics"]}
    le = re.search(r'\ble="([^"]+)"', metrics["latency-p95"]["provider"]["prometheus"]["query"])
    assert le
    stable = _series(combo.kind, f'{selector},rollouts_pod_template_hash="{STABLE}"', HEALTHY,
                     le.group(1))  # fmt: skip
    for s in stable:  # the same 30 s scrapes, from the start
        per_minute = int(s["values"].split("+")[1].split("x")[0])
        s["values"] = f"0+{per_minute // 2}x60"
    fresh = _late_series(combo.kind, f'{selector},rollouts_pod_template_hash="{CANARY}"',
                         traffic, le.group(1))  # fmt: skip
    start = START_STEPS / 2
    tests = []
    for name, metric in metrics.items():
        query = (
            metric["provider"]["prometheus"]["query"]
            .replace("{{args.canary-hash}}", CANARY).replace("{{args.stable-hash}}", STABLE)
        )  # fmt: skip
        first = _expr_tests(metric, query, "inconclusive")
        delayed = _expr_tests(metric, query, expected[name])
        for t in first:
            t["eval_time"] = f"{int(start * 60)}s"
        for t in delayed:
            t["eval_time"] = f"{int((start + _minutes(metric['initialDelay'])) * 60)}s"
        # At the first measurement after the delay the query has a value at all.
        value = {
            "expr": f"count(({query}) == ({query}))",
            "exp_samples": [{"labels": "{}", "value": 1}],
            "eval_time": delayed[0]["eval_time"],
        }
        tests += [*first, *delayed, value]
    return {
        "rule_files": [],
        "evaluation_interval": SCRAPE,
        "tests": [{"interval": SCRAPE, "input_series": stable + fresh, "promql_expr_test": tests}],
    }


def _named_template(rendered: dict[Combination, Path], name: str) -> tuple[dict, Combination]:
    combo, path = next((c, p) for c, p in rendered.items() if c.name == name)
    manifests = [m for m in yaml.safe_load_all(path.read_text()) if m]
    health = next(t for t in manifests if t["kind"] == "AnalysisTemplate"
                  and t["metadata"]["name"].endswith("-health"))  # fmt: skip
    return health, combo


@pytest.mark.parametrize("render", [
    "prod-canary-http-api", "prod-blueGreen-http-api",
    "prod-canary-queue-worker", "prod-blueGreen-queue-worker",
])  # fmt: skip
@pytest.mark.parametrize("case", [
    ("healthy", HEALTHY, OK),
    ("degraded", DEGRADED, {"success-rate": "failure", "latency-p95": "failure",
                            "error-ratio-vs-stable": "failure"}),
], ids=lambda c: c[0])  # fmt: skip
def test_each_query_has_a_value_once_the_delay_has_passed(
    rendered_matrix: dict[Combination, Path],
    tmp_path: Path,
    render: str,
    case: tuple[str, Traffic, dict[str, str]],
) -> None:
    """Measured at the new version's first scrape, every metric is inconclusive
    (what the rollouts without initialDelay burnt their inconclusiveLimit on);
    measured initialDelay later, each returns a value: success for a healthy
    version, failure for a degraded one."""
    version, traffic, outcome = case
    template, combo = _named_template(rendered_matrix, render)
    path = tmp_path / f"{render}-{version}.yaml"
    path.write_text(yaml.safe_dump(late_start_file(template, combo, traffic, outcome),
                                   sort_keys=False))  # fmt: skip
    proc = run_promtool(path)
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}\n--- {path}\n{path.read_text()}"
