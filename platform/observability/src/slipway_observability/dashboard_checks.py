"""Structural checks for generated Grafana dashboards.

Grafana cannot run here, so the checks a Grafana import would do (and a few it
would not) are done statically: a Prometheus datasource variable that every panel
uses, unique panel ids, unique query refIds per panel, panels inside the 24-column
grid without overlaps, every gauge aggregated across replicas with the function its
meaning calls for, and every PromQL expression accepted by the real Prometheus
parser (each query becomes a recording rule that `promtool check rules` parses).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from slipway_contract.metrics import GAUGE_MULTIPROCESS_MODES

from slipway_observability import promtool, yamlio

GRID_COLUMNS = 24
# Grafana template variables are not PromQL: substitute what Grafana would.
_GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


# How a chassis gauge combines across the processes of one pod (its multiprocess_mode,
# slipway_contract.metrics.GAUGE_MULTIPROCESS_MODES, which the chassis declares its
# gauges with) is how it combines across replicas: each replica is just more
# processes. A broker-wide value (queue_depth: every replica reports the whole
# queue's length) is `livemax`, so max; per-process counts (requests in flight) are
# `livesum`, so sum; `liveall` keeps one series per process, so a dashboard counts them.
_AGGREGATION_BY_MODE = {"livesum": "sum", "livemax": "max", "liveall": "count"}


def gauge_aggregations() -> dict[str, str]:
    """Chassis gauge name -> the PromQL aggregation that is right across replicas."""
    modes = GAUGE_MULTIPROCESS_MODES
    unknown = {name: mode for name, mode in modes.items() if mode not in _AGGREGATION_BY_MODE}
    if unknown:
        raise ValueError(f"no dashboard aggregation known for gauge multiprocess modes {unknown}")
    return {name: _AGGREGATION_BY_MODE[mode] for name, mode in modes.items()}


# Hand-written rather than a PromQL parser (none is kept up for Python): the
# generator only ever wraps a gauge as `op by (labels) (gauge{selector})`.
_AGGREGATED = r"(?P<op>[a-z_]+)\s*(?:by\s*\([^)]*\)\s*)?\(\s*{metric}\s*(?:\{{[^}}]*\}})?\s*\)"


def gauge_problems(board: dict[str, Any]) -> list[str]:
    """Gauges summed where one replica's value is already the whole (or left unaggregated)."""
    problems: list[str] = []
    for gauge, right in gauge_aggregations().items():
        uses = re.compile(rf"\b{gauge}\b(?!_)")
        wrapped = re.compile(_AGGREGATED.format(metric=re.escape(gauge)))
        for panel, target in queries(board):
            expr = target["expr"]
            where = f"{board.get('title')} / {panel.get('title')!r} / {target.get('refId')}"
            ops = [m.group("op") for m in wrapped.finditer(expr)]
            if len(ops) != len(uses.findall(expr)):
                problems.append(f"{where}: {gauge} must be aggregated across replicas ({right})")
            problems += [
                f"{where}: {op}() over {gauge} is wrong across replicas, use {right}()"
                for op in ops
                if op != right
            ]
    return problems


def panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel, including those nested in collapsed rows."""
    found: list[dict[str, Any]] = []
    for panel in board.get("panels", []):
        found.append(panel)
        found += panel.get("panels", [])
    return found


def queries(board: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(panel, target) pairs for every PromQL query of the dashboard."""
    return [(p, t) for p in panels(board) for t in p.get("targets", []) if "expr" in t]


def to_promql(expr: str) -> str:
    for variable, value in _GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return expr


def _panel_problems(panel: dict[str, Any], name: str, datasources: set[str]) -> list[str]:
    problems: list[str] = []
    pos = panel.get("gridPos", {})
    x, y, w, h = (pos.get(k, -1) for k in ("x", "y", "w", "h"))
    if min(x, y) < 0 or w <= 0 or h <= 0 or x + w > GRID_COLUMNS:
        problems.append(f"{name}: gridPos {pos} is outside the {GRID_COLUMNS}-column grid")
    if panel.get("type") == "row":
        return problems
    if panel.get("datasource", {}).get("uid") not in datasources:
        problems.append(f"{name}: datasource must be the datasource variable")
    ref_ids = [t.get("refId") for t in panel.get("targets", [])]
    if not ref_ids:
        problems.append(f"{name}: no queries")
    if len(set(ref_ids)) != len(ref_ids) or not all(ref_ids):
        problems.append(f"{name}: refIds must be unique and non-empty, got {ref_ids}")
    return problems


def _overlaps(board: dict[str, Any]) -> list[str]:
    owner: dict[tuple[int, int], str] = {}
    problems: list[str] = []
    for panel in panels(board):
        pos = panel.get("gridPos", {})
        cells = {
            (cx, cy)
            for cx in range(pos.get("x", 0), pos.get("x", 0) + pos.get("w", 0))
            for cy in range(pos.get("y", 0), pos.get("y", 0) + pos.get("h", 0))
        }
        if clash := sorted({owner[c] for c in cells if c in owner}):
            problems.append(f"{board.get('title')} / {panel.get('title')!r}: overlaps {clash}")
        owner.update(dict.fromkeys(cells, str(panel.get("title"))))
    return problems


def structural_problems(board: dict[str, Any]) -> list[str]:
    """Problems found without running anything; empty when the dashboard is sound."""
    problems: list[str] = []
    title = board.get("title", "?")
    variables = board.get("templating", {}).get("list", [])
    ds_vars = [v for v in variables if v.get("type") == "datasource"]
    if not any(v.get("query") == "prometheus" for v in ds_vars):
        problems.append(f"{title}: no datasource variable of type prometheus")
    datasources = {f"${{{v['name']}}}" for v in ds_vars} | {f"${v['name']}" for v in ds_vars}
    seen_ids: dict[int, str] = {}
    for panel in panels(board):
        name = f"{title} / panel {panel.get('title')!r}"
        pid = panel.get("id")
        if not isinstance(pid, int) or pid <= 0:
            problems.append(f"{name}: missing or non-positive id {pid!r}")
        elif pid in seen_ids:
            problems.append(f"{name}: id {pid} already used by {seen_ids[pid]!r}")
        else:
            seen_ids[pid] = str(panel.get("title"))
        problems += _panel_problems(panel, name, datasources)
    return problems + _overlaps(board) + gauge_problems(board)


def promql_problems(boards: list[dict[str, Any]]) -> list[str]:
    """Ask the real Prometheus parser (promtool) about every query of the dashboards."""
    rules = []
    where: dict[str, str] = {}
    for b_index, board in enumerate(boards):
        for panel, target in queries(board):
            record = f"dashboard_{b_index}_panel_{panel['id']}_{target['refId']}"
            where[record] = f"{board['title']} / {panel['title']!r} / {target['refId']}"
            rules.append({"record": record, "expr": to_promql(target["expr"])})
    with tempfile.TemporaryDirectory(prefix="slipway-dash-") as tmp:
        path = yamlio.write(
            {"groups": [{"name": "dashboards", "rules": rules}]}, Path(tmp) / "q.yml"
        )
        result = promtool.check_rules(path)
    if result.ok:
        return []
    problems = [result.output]
    # promtool names the rule by index: point at the panel too.
    for match in re.finditer(r"rule (\d+)", result.output):
        index = int(match.group(1)) - 1
        if 0 <= index < len(rules):
            problems.append(f"offending query: {where[rules[index]['record']]}")
    return problems
