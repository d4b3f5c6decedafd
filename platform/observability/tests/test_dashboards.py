"""Dashboards: built for every spec, structurally sound, every query parsed by promtool."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from slipway_observability.dashboard_checks import (
    promql_problems,
    queries,
    structural_problems,
    to_promql,
)
from slipway_observability.dashboards import build_dashboards, write_dashboards
from slipway_observability.slo import SLOSpec


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
