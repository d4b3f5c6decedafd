"""Every metric and label a generated rule or dashboard queries is one the contract names.

PromQL is text, so label matchers are written in it; this reads every expression
the rules and dashboards produce for the example specs and holds the names in
them to slipway_contract.metrics: a renamed metric or label fails here, not on a
silent dashboard.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from slipway_contract import metrics
from slipway_observability.dashboards import build_dashboards
from slipway_observability.rules import prometheus_rules
from slipway_observability.slo import load_spec

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CONTRACT_LABELS = {v for k, v in vars(metrics).items() if k.startswith("LABEL_")}
OWN_LABELS = {"slo"}  # the recording rules' own label (slipway_observability.rules)
_SUFFIXES = ("_bucket", "_count", "_sum")


def _expressions(spec_file: Path) -> list[str]:
    spec = load_spec(spec_file)
    exprs = [r["expr"] for g in prometheus_rules(spec)["groups"] for r in g["rules"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("expr"), str):
                exprs.append(node["expr"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(build_dashboards(spec))
    return exprs


@pytest.mark.parametrize("spec_file", sorted(EXAMPLES.glob("*.slo.yaml")), ids=lambda p: p.name)
def test_queries_use_only_contract_names(spec_file: Path) -> None:
    exprs = _expressions(spec_file)
    assert len(exprs) > 10
    labels: set[str] = set()
    series: set[str] = set()
    for expr in exprs:
        for selector in re.findall(r"\{([^{}]*)\}", expr):
            labels |= set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", selector))
        for grouping in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
            labels |= {name.strip() for name in grouping.split(",") if name.strip()}
        # A series name before its selector; `slo:...` names are the recording rules'.
        series |= set(re.findall(r"(?<![\w:])([a-z_][a-z0-9_]*)\s*\{", expr))
    allowed = CONTRACT_LABELS | OWN_LABELS
    assert labels, "no label found: the expression parsing rotted"
    assert labels <= allowed, f"labels the contract does not name: {labels - allowed}"
    stems = {next((s.removesuffix(x) for x in _SUFFIXES if s.endswith(x)), s) for s in series}
    assert stems, "no raw series found: the expression parsing rotted"
    assert stems <= set(metrics.METRIC_NAMES), stems - set(metrics.METRIC_NAMES)
