"""The chart and the chassis agree (platform/CONTRACTS.md), checked against the
real chassis, not a copy of its constants:

- a chassis app built from the environment the chart renders starts, and
  answers 200 on the probe paths the chart configures;
- preStop sleep + SHUTDOWN_GRACE_SECONDS < terminationGracePeriodSeconds;
- analysis and KEDA queries use metric names the chassis exports and `le`
  values that exist in its histogram buckets (as actually scraped).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from helm_render import (
    CHART,
    RELEASES,
    Combination,
    app_container,
    by_kind,
    container_env,
    one,
    render,
    write_values,
)
from prometheus_client import REGISTRY
from slipway_chassis import (
    DURATION_BUCKETS,
    ServiceSettings,
    WorkerContext,
    create_app,
    create_worker_app,
)
from slipway_chassis.testing import app_client, capture_logs, parse_metrics, reset_tracing
from slipway_contract.probes import LIVEZ, READYZ, STARTUPZ

pytestmark = pytest.mark.requires("helm")

METRIC_NAME = re.compile(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{")
LE_MATCHER = re.compile(r'\ble(=~?)"([^"]+)"')
PROMQL_FUNCTIONS = {"rate", "sum", "histogram_quantile", "vector", "by"}


def _manifests(path: Path) -> list[dict[str, Any]]:
    return [m for m in yaml.safe_load_all(path.read_text()) if m]


def _pick(rendered: dict[Combination, Path], name: str) -> list[dict[str, Any]]:
    return _manifests(next(p for c, p in rendered.items() if c.name == name))


def exported_sample_names() -> set[str]:
    """Sample names of every family a chassis service's /metrics renders (counter -> _total, ...).

    Importing slipway_chassis registers its metrics in prometheus-client's default
    registry, the one /metrics renders; a labelled family with no series yet is still
    collected (without samples), so its name and type come from the family itself.
    """
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"]}
    return {
        family.name + suffix
        for family in REGISTRY.collect()
        for suffix in suffixes.get(family.type, [""])
    }


def queries(manifests: list[dict[str, Any]]) -> list[str]:
    """Every PromQL query the rollout analysis and KEDA will run."""
    found = [
        metric["provider"]["prometheus"]["query"]
        for template in by_kind(manifests, "AnalysisTemplate")
        for metric in template["spec"]["metrics"]
        if "prometheus" in metric["provider"]  # the preview smoke Job queries nothing
    ]
    found += [
        trigger["metadata"]["query"]
        for so in by_kind(manifests, "ScaledObject")
        for trigger in so["spec"]["triggers"]
        if trigger["type"] == "prometheus"
    ]
    return found


def le_seconds(op: str, value: str) -> float:
    """The bucket bound an `le` matcher selects; `le=~"1(\\.0)?"` selects 1."""
    if op == "=~":
        match = re.fullmatch(r"([0-9.]+)\(\\\\?\.0\)\?", value)
        assert match, f"unexpected le regex {value!r}"
        return float(match.group(1))
    return float(value)


# ------------------------------------------------------------------ shutdown timing
def test_prestop_plus_grace_is_below_termination_grace(
    rendered_matrix: dict[Combination, Path],
) -> None:
    for combo, path in rendered_matrix.items():
        manifests = _manifests(path)
        pod = one(manifests, "Deployment")["spec"]["template"]["spec"]
        container = app_container(manifests)
        pre_stop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
        grace = int(container_env(container)["SHUTDOWN_GRACE_SECONDS"])
        assert pre_stop + grace < pod["terminationGracePeriodSeconds"], combo.name
        assert "exec" not in container["lifecycle"]["preStop"], "native sleep, no shell needed"


def test_default_timing_is_the_contract(rendered_matrix: dict[Combination, Path]) -> None:
    """CONTRACTS.md: preStop 10 s + SHUTDOWN_GRACE_SECONDS 20 < terminationGracePeriodSeconds 45."""
    manifests = _pick(rendered_matrix, "dev-rolling-http-api")
    container = app_container(manifests)
    assert container["lifecycle"]["preStop"]["sleep"]["seconds"] == 10
    assert container_env(container)["SHUTDOWN_GRACE_SECONDS"] == "20"
    pod = one(manifests, "Deployment")["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] == 45


# ------------------------------------------------------------------ a real chassis app
@pytest.fixture
def chassis_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """Apply a rendered container's environment to this process, the way the kubelet would."""

    def apply(manifests: list[dict[str, Any]]) -> dict[str, str]:
        env = container_env(app_container(manifests))
        flags = one(manifests, "ConfigMap")["data"]["flags.json"]
        # The ConfigMap is mounted at FLAGS_FILE's folder in the pod; here, a temp folder.
        flags_file = tmp_path / Path(env["FLAGS_FILE"]).name
        flags_file.write_text(flags)
        env["FLAGS_FILE"] = str(flags_file)
        # prometheus-client picks multiprocess mode at import time, long before this
        # test: the (emptyDir) directory is verified by the pod-security tests instead.
        env.pop("PROMETHEUS_MULTIPROC_DIR")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return env

    yield apply
    reset_tracing()


@pytest.mark.parametrize("kind", list(RELEASES))
def test_rendered_environment_starts_a_chassis_that_serves_the_probes(
    rendered_matrix: dict[Combination, Path], chassis_env: Any, kind: str
) -> None:
    manifests = _pick(rendered_matrix, f"prod-canary-{kind}")
    env = chassis_env(manifests)
    settings = ServiceSettings()  # raises SettingsError naming any bad variable
    assert settings.service_name == RELEASES[kind]
    assert settings.http_port == 8000
    assert str(settings.app_env) == "prod"
    container = app_container(manifests)
    assert container["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    probes = {
        "startupProbe": container["startupProbe"]["httpGet"],
        "livenessProbe": container["livenessProbe"]["httpGet"],
        "readinessProbe": container["readinessProbe"]["httpGet"],
    }
    assert {p["path"] for p in probes.values()} == {STARTUPZ, LIVEZ, READYZ}
    assert {p["port"] for p in probes.values()} == {"http"}

    if kind == "http-api":
        app = create_app(settings)
    else:

        async def main(ctx: WorkerContext) -> None:
            await ctx.stopping.wait()

        app = create_worker_app(settings, main)
    with capture_logs(), app_client(app) as client:
        for probe, get in probes.items():
            response = client.get(get["path"])
            assert response.status_code == 200, (probe, response.text)
        metrics = client.get("/metrics")
        assert metrics.status_code == 200
    assert env["SERVICE_NAME"] in metrics.text  # service_build_info carries it


# The per-environment runtime defaults as CONTRACTS.md states them.
RUNTIME_DEFAULTS = {
    "dev": ("DEBUG", 1.0, True),
    "qa": ("DEBUG", 1.0, True),
    "stage": ("INFO", 0.5, True),
    "prod": ("INFO", 0.1, False),
}


@pytest.mark.parametrize("env", list(RUNTIME_DEFAULTS))
def test_each_environment_runs_with_the_contract_runtime_defaults(
    rendered_matrix: dict[Combination, Path], chassis_env: Any, env: str
) -> None:
    """What a pod of `env` really runs with: the render's variables read by the
    chassis' own settings (the chart sets APP_ENV, the chassis profile does the rest)."""
    chassis_env(_pick(rendered_matrix, f"{env}-canary-http-api"))
    settings = ServiceSettings()
    got = (settings.log_level, settings.otel_traces_sampler_arg, settings.docs_enabled)
    assert got == RUNTIME_DEFAULTS[env]


# ------------------------------------------------------------------ queries
@pytest.mark.parametrize(
    "name", ["stage-canary-http-api", "stage-blueGreen-queue-worker", "prod-canary-http-api"]
)
def test_queries_use_exported_metric_names(
    rendered_matrix: dict[Combination, Path], name: str
) -> None:
    found = queries(_pick(rendered_matrix, name))
    assert found, f"{name} renders no analysis/KEDA queries"
    exported = exported_sample_names()
    for query in found:
        used = set(METRIC_NAME.findall(query)) - PROMQL_FUNCTIONS
        assert used, query
        assert used <= exported, f"not exported by the chassis: {used - exported}\n{query}"


def test_latency_thresholds_sit_on_chassis_buckets(
    rendered_matrix: dict[Combination, Path],
) -> None:
    seen = 0
    for path in rendered_matrix.values():
        manifests = _manifests(path)
        for query in queries(manifests):
            for op, value in LE_MATCHER.findall(query):
                assert le_seconds(op, value) in DURATION_BUCKETS, query
                seen += 1
        for so in by_kind(manifests, "ScaledObject"):
            for trigger in so["spec"]["triggers"]:
                if trigger["name"].startswith("latency-"):
                    assert float(trigger["metadata"]["threshold"]) in DURATION_BUCKETS
    assert seen, "no `le` matcher found in any analysis query"


@pytest.mark.parametrize("threshold", [0.3, 1])
def test_le_matcher_selects_the_bucket_the_chassis_really_exports(
    chassis_env: Any, tmp_path: Path, threshold: float
) -> None:
    """Scrape a real chassis app and check the analysis' `le` matcher hits a series.

    prometheus-client writes le="1.0" where Prometheus 3 stores le="1": the chart
    matches both for whole-second thresholds.
    """
    overrides = {"strategy": "canary", "analysis": {"latencyP95Seconds": threshold}}
    manifests = render(
        [CHART / "ci" / "http-api-values.yaml", write_values(tmp_path / "t.yaml", overrides)]
    )
    latency = next(
        m["provider"]["prometheus"]["query"]
        for m in one(manifests, "AnalysisTemplate")["spec"]["metrics"]
        if m["name"] == "latency-p95"
    )
    ((op, value),) = set(LE_MATCHER.findall(latency))
    chassis_env(manifests)
    app = create_app(ServiceSettings())

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        await asyncio.sleep(0)
        return {"id": item_id}

    with capture_logs(), app_client(app) as client:
        assert client.get("/items/1").status_code == 200
        families = parse_metrics(client.get("/metrics").text)
    buckets = families["http_server_request_duration_seconds_bucket"]
    exported_le = {
        labels["le"] for labels, _ in buckets if labels.get("route") == "/items/{item_id}"
    }
    pattern = value.replace("\\\\", "\\") if op == "=~" else re.escape(value)
    matching = {le for le in exported_le if re.fullmatch(pattern, le)}
    assert len(matching) == 1, f"{op}{value!r} matched {matching} of {sorted(exported_le)}"
    assert float(matching.pop()) == threshold
