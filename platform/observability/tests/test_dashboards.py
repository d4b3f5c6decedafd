"""Dashboards: built for every spec, structurally sound, every query parsed by promtool."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from slipway_observability import promtool, yamlio
from slipway_observability.dashboard_checks import (
    gauge_aggregations,
    gauge_problems,
    promql_problems,
    queries,
    structural_problems,
    to_promql,
)
from slipway_observability.dashboards import build_dashboards, write_dashboards
from slipway_observability.slo import SLOSpec, load_spec


def test_api_and_worker_dashboards(api_spec: SLOSpec, worker_spec: SLOSpec) -> None:
    assert set(build_dashboards(api_spec)) == {
        "orders-api-red",
        "orders-api-slo",
        "orders-api-latency",
    }
    assert set(build_dashboards(worker_spec)) == {
        "orders-worker-red",
        "orders-worker-slo",
        "orders-worker-queue",
    }


@pytest.mark.parametrize("fixture", ["api_spec", "worker_spec"])
def test_structure(fixture: str, request: pytest.FixtureRequest) -> None:
    for board in build_dashboards(request.getfixturevalue(fixture)).values():
        assert structural_problems(board) == []
        exprs = [t["expr"] for _, t in queries(board)]
        assert exprs, board["title"]
        assert all('service="orders-' in e for e in exprs)


def test_slo_dashboard_shows_budget_and_burn_rates(api_spec: SLOSpec) -> None:
    board = build_dashboards(api_spec)["orders-api-slo"]
    exprs = " ".join(t["expr"] for _, t in queries(board))
    assert "slo:error_budget_remaining:ratio" in exprs
    assert "slo:sli_error:ratio_rate1h" in exprs
    assert "slo:sli_error:ratio_rate30d" in exprs
    latency = build_dashboards(api_spec)["orders-api-latency"]
    exprs = " ".join(t["expr"] for _, t in queries(latency))
    for quantile in ("0.5", "0.95", "0.99"):
        assert f"histogram_quantile({quantile}," in exprs
    assert 'le="0.3"' in exprs


def test_checks_catch_broken_dashboards(api_spec: SLOSpec) -> None:
    board = copy.deepcopy(build_dashboards(api_spec)["orders-api-red"])
    board["templating"]["list"] = []
    board["panels"][2]["id"] = board["panels"][1]["id"]
    board["panels"][2]["datasource"] = {"type": "prometheus", "uid": "prod-prom"}
    board["panels"][3]["gridPos"]["x"] = 20
    board["panels"][4]["gridPos"] = board["panels"][5]["gridPos"]
    problems = "\n".join(structural_problems(board))
    assert "no datasource variable" in problems
    assert "already used" in problems
    assert "datasource must be the datasource variable" in problems
    assert "outside the 24-column grid" in problems
    assert "overlaps" in problems


def test_grafana_variables_become_promql() -> None:
    assert to_promql("rate(x[$__rate_interval])") == "rate(x[5m])"


@pytest.mark.requires("promtool")
def test_every_query_parses(api_spec: SLOSpec, worker_spec: SLOSpec) -> None:
    boards = [*build_dashboards(api_spec).values(), *build_dashboards(worker_spec).values()]
    assert promql_problems(boards) == []


@pytest.mark.requires("promtool")
def test_parser_rejects_a_broken_query(api_spec: SLOSpec) -> None:
    board = copy.deepcopy(build_dashboards(api_spec)["orders-api-latency"])
    board["panels"][1]["targets"][0]["expr"] = "histogram_quantile(0.99, sum by (le) (rate(x[5m]))"
    problems = promql_problems([board])
    assert problems
    assert "offending query: orders-api / Latency / 'p99 by route' / A" in problems


def test_write_json_and_png(worker_spec: SLOSpec, tmp_path: Path) -> None:
    written = write_dashboards(worker_spec, tmp_path)
    assert {p.suffix for p in written} == {".json", ".png"}
    for path in written:
        if path.suffix == ".png":
            data = path.read_bytes()
            assert data.startswith(b"\x89PNG\r\n\x1a\n")
            assert len(data) > 10_000  # a real drawing, not an empty canvas
        else:
            assert json.loads(path.read_text())["uid"] == path.stem


def test_worker_red_is_about_messages(worker_spec: SLOSpec) -> None:
    board = build_dashboards(worker_spec)["orders-worker-red"]
    exprs = " ".join(t["expr"] for _, t in queries(board))
    assert "queue_messages_total" in exprs
    assert 'outcome=~"retried|dead_lettered"' in exprs
    assert "http_server_requests_total" not in exprs  # a worker serves no API


SERVICE_SPECS = sorted(Path(__file__).resolve().parents[3].glob("services/*/slo.yaml"))


def _every_board(*specs: SLOSpec) -> list[dict[str, Any]]:
    paths = [load_spec(p) for p in SERVICE_SPECS]
    return [board for spec in (*specs, *paths) for board in build_dashboards(spec).values()]


def test_gauges_are_aggregated_as_their_meaning_says(
    api_spec: SLOSpec, worker_spec: SLOSpec
) -> None:
    assert len(SERVICE_SPECS) >= 2  # the examples' own specs are checked too
    aggregations = gauge_aggregations()
    assert aggregations["queue_depth"] == "max"  # broker-wide: each replica reports it all
    assert aggregations["queue_oldest_message_age_seconds"] == "max"
    assert aggregations["http_server_requests_in_flight"] == "sum"  # per process
    boards = _every_board(api_spec, worker_spec)
    used = {g for b in boards for _, t in queries(b) for g in aggregations if g in t["expr"]}
    assert used == set(aggregations), "every chassis gauge is on some panel"
    assert [p for board in boards for p in gauge_problems(board)] == []


def test_gauge_check_catches_a_summed_broker_wide_value(worker_spec: SLOSpec) -> None:
    board = copy.deepcopy(build_dashboards(worker_spec)["orders-worker-queue"])
    depth = next(t for _, t in queries(board) if "queue_depth" in t["expr"])
    depth["expr"] = depth["expr"].replace("max by", "sum by")
    assert gauge_problems(board) == [
        "orders-worker / Queue backlog / 'Queue depth' / A: sum() over queue_depth is wrong "
        "across replicas, use max()"
    ]
    depth["expr"] = 'queue_depth{service="orders-worker"}'
    assert "must be aggregated across replicas (max)" in gauge_problems(board)[0]


REPLICAS = 3


def _series(metric: str, labels: dict[str, str]) -> str:
    return metric + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def _replica_test(gauge: str, expr: str, value: float) -> dict[str, Any]:
    """A promtool unit test: REPLICAS pods report `value`; the panel's query at 5m."""
    by = re.search(r"by \(([^)]*)\)", expr)
    grouping = [label.strip() for label in by.group(1).split(",")] if by else []
    selector = dict(re.findall(r'(\w+)="([^"]*)"', expr))
    labels = {**selector, **{label: f"some-{label}" for label in grouping}}
    series = [_series(gauge, {**labels, "pod": f"p{i}"}) for i in range(REPLICAS)]
    return {
        "interval": "1m",
        "input_series": [{"series": s, "values": f"{value:g}x10"} for s in series],
        "promql_expr_test": [
            {
                "expr": to_promql(expr),
                "eval_time": "5m",
                "exp_samples": [
                    {
                        "labels": _series("", {k: labels[k] for k in grouping}),
                        "value": {"max": value, "sum": value * REPLICAS, "count": REPLICAS}[
                            gauge_aggregations()[gauge]
                        ],
                    }
                ],
            }
        ],
    }


@pytest.mark.requires("promtool")
def test_gauge_panels_show_the_real_value_with_replicas(
    worker_spec: SLOSpec, api_spec: SLOSpec, tmp_path: Path
) -> None:
    """Prometheus itself evaluates every gauge panel over three replicas' series:
    42 messages in the broker read 42 on the dashboard, not 126."""
    tests = [
        _replica_test(gauge, target["expr"], 42)
        for board in _every_board(api_spec, worker_spec)
        for _, target in queries(board)
        for gauge in gauge_aggregations()
        if re.search(rf"\b{gauge}\b(?!_)", target["expr"])
    ]
    assert len(tests) >= 5
    rules = yamlio.write({"groups": []}, tmp_path / "none.yml")
    path = yamlio.write(
        {"rule_files": [rules.name], "evaluation_interval": "1m", "tests": tests},
        tmp_path / "replicas.test.yml",
    )
    result = promtool.test_rules(path)
    assert result.ok, result.output
