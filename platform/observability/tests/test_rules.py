"""Rule generation: shapes, names, labels, and promtool acceptance."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from slipway_observability import promtool, rules, yamlio
from slipway_observability.slo import SLOSpec
from slipway_observability.windows import RECORDING_WINDOWS


def _all_rules(spec: SLOSpec) -> list[dict]:
    return [r for g in rules.rule_groups(spec) for r in g["rules"]]


def test_recording_rules_cover_every_window(api_spec: SLOSpec) -> None:
    records = {(r["record"], r["labels"]["slo"]) for r in _all_rules(api_spec) if "record" in r}
    for slo in ("availability", "latency"):
        for window in (*RECORDING_WINDOWS, "30d"):
            assert (f"slo:sli_error:ratio_rate{window}", slo) in records
        assert ("slo:error_budget_remaining:ratio", slo) in records
        assert ("slo:objective:ratio", slo) in records


def test_alerts_have_routing_labels_and_runbook(api_spec: SLOSpec) -> None:
    alerts = [r for r in _all_rules(api_spec) if "alert" in r]
    assert {a["alert"] for a in alerts} == {
        "AvailabilityBudgetFastBurn",
        "AvailabilityBudgetSlowBurn",
        "LatencyBudgetFastBurn",
        "LatencyBudgetSlowBurn",
    }
    for alert in alerts:
        assert alert["labels"]["service"] == "orders-api"
        assert alert["labels"]["team"] == "payments"
        assert alert["labels"]["severity"] in {"critical", "warning"}
        assert alert["annotations"]["runbook_url"] == (
            f"https://runbooks.example.com/orders-api#{alert['alert']}"
        )


def test_burn_rate_thresholds(api_spec: SLOSpec) -> None:
    page = rules.alert_rule(api_spec, "availability", rules.SEVERITIES[0])
    assert "slo:sli_error:ratio_rate1h" in page["expr"]
    assert "(14.4 * 0.001)" in page["expr"]
    assert "(6 * 0.001)" in page["expr"]
    ticket = rules.alert_rule(api_spec, "latency", rules.SEVERITIES[1])
    assert "(3 * 0.01)" in ticket["expr"]
    assert "slo:sli_error:ratio_rate3d" in ticket["expr"]
    assert "(1 * 0.01)" in ticket["expr"]


def test_latency_threshold_uses_prometheus_client_le(api_spec: SLOSpec) -> None:
    expr = rules.sli_error_expr(api_spec, "latency", "5m")
    assert 'le="0.3"' in expr
    assert rules.le_label(1) == "1.0"


def test_queue_backlog_is_time_based(worker_spec: SLOSpec) -> None:
    recs = [r for r in _all_rules(worker_spec) if "record" in r]
    assert recs[0]["record"] == "slo:queue_backlog_bad:bool"
    assert "queue_oldest_message_age_seconds" in recs[0]["expr"]
    assert "> bool 60" in recs[0]["expr"]


def test_manifest_and_helm_values(api_spec: SLOSpec) -> None:
    manifest = rules.prometheus_rule_manifest(api_spec)
    assert manifest["kind"] == "PrometheusRule"
    assert manifest["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    values = rules.helm_values(api_spec)
    assert values["prometheusRule"]["groups"] == manifest["spec"]["groups"]
    # Round-trips through YAML unchanged (block scalars for multi-line PromQL).
    assert yaml.safe_load(yamlio.dump(values)) == values


@pytest.mark.requires("promtool")
@pytest.mark.parametrize("fixture", ["api_spec", "worker_spec"])
def test_promtool_accepts_rules(
    fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    spec = request.getfixturevalue(fixture)
    rule_file = yamlio.write(rules.prometheus_rules(spec), tmp_path / "rules.yml")
    result = promtool.check_rules(rule_file)
    assert result.ok, result.output


CHART = Path(__file__).resolve().parents[3] / "helm" / "slipway-service"


@pytest.mark.requires("helm", "promtool")
@pytest.mark.skipif(not CHART.is_dir(), reason="the service chart is not in this checkout")
def test_chart_renders_generated_groups_intact(api_spec: SLOSpec, tmp_path: Path) -> None:
    """helm-values output -> the service chart's PrometheusRule -> promtool accepts it."""
    values = yamlio.write(rules.helm_values(api_spec), tmp_path / "slo-values.yaml")
    # The chart's own CI scenario for an HTTP API (owned by the helm area).
    scenario = CHART / "ci" / "http-api-values.yaml"
    if not scenario.is_file():
        scenario = sorted((CHART / "ci").glob("*.yaml"))[0]
    rendered = promtool.run("helm", "template", "svc", CHART, "-f", scenario, "-f", values)
    assert rendered.ok, rendered.output
    docs = [d for d in yaml.safe_load_all(rendered.stdout) if d]
    (rule,) = [d for d in docs if d["kind"] == "PrometheusRule"]
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert rule["spec"]["groups"] == rules.rule_groups(api_spec)
    extracted = yamlio.write({"groups": rule["spec"]["groups"]}, tmp_path / "from-chart.yml")
    assert promtool.check_rules(extracted).ok
