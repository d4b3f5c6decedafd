"""The environment contract: every service x environment of the GitOps tree,
rendered from its Argo CD Application's own source, against the declared
expectation per service kind and environment
(slipway_delivery.environment_contract).

The render is what Argo CD would apply: chart path, value files (the chart's
environments/<env>.yaml, the service's values, the tree's slo-rules.yaml,
values.yaml and flags.yaml), parameters and release name all read from
application.yaml by slipway_delivery.application_render, through real `helm
template`. Any difference from the contract fails, naming service, env, field.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helm_render import ENVIRONMENTS, ROOT, by_kind, generated_services
from slipway_delivery.application_render import helm_source, render
from slipway_delivery.environment_contract import differences
from slipway_delivery.errors import DeliveryError
from slipway_delivery.gitops_tree import GitopsTree
from slipway_delivery.inventory import Row, applications, summarize
from slipway_delivery.slo_rules import rules_values, slo_rules_path
from slipway_observability.slo import load_spec

pytestmark = pytest.mark.requires("helm")

TREE = GitopsTree(ROOT / "platform" / "gitops")
SERVICES = [s.name for s in generated_services()]


@pytest.fixture(scope="module")
def renders() -> dict[tuple[str, str], list[dict[str, Any]]]:
    return {(s, e): render(helm_source(app, ROOT)) for s, e, app in applications(TREE)}


@pytest.fixture(scope="module")
def rows(renders: dict[tuple[str, str], list[dict[str, Any]]]) -> list[Row]:
    """inventory.inventory() without rendering twice (the CLI test runs it whole)."""
    return [summarize(service, env, manifests) for (service, env), manifests in renders.items()]


def test_every_service_and_environment_is_rendered(rows: list[Row]) -> None:
    assert SERVICES, "services/* should hold the example services"
    assert {(r.service, r.env) for r in rows} == {(s, e) for s in SERVICES for e in ENVIRONMENTS}


def test_every_render_meets_the_environment_contract(rows: list[Row]) -> None:
    problems = [p for row in rows for p in differences(row)]
    assert not problems, "\n".join(problems)


def test_a_prometheus_rule_per_service_and_environment_pages_and_tickets(
    renders: dict[tuple[str, str], list[dict[str, Any]]],
) -> None:
    """Every SLO of the service's slo.yaml arrives with its page (critical) and
    ticket (warning) alert, in every environment (issue 14: 0 of 16 renders had one)."""
    for (service, env), manifests in renders.items():
        (rule,) = by_kind(manifests, "PrometheusRule")
        assert rule["metadata"]["namespace"] == env
        slos = set(load_spec(ROOT / "services" / service / "slo.yaml").enabled())
        alerts = {
            (r["labels"]["slo"], r["labels"]["severity"])
            for group in rule["spec"]["groups"] for r in group["rules"] if "alert" in r
        }  # fmt: skip
        assert alerts == {(s, sev) for s in slos for sev in ("critical", "warning")}, (service, env)


def test_slo_rules_in_the_tree_match_slo_yaml() -> None:
    """The committed slo-rules.yaml files are what slipway-obs generates from slo.yaml now."""
    stale = []
    for service in SERVICES:
        want = rules_values(service, ROOT / "services" / service / "slo.yaml")
        for env in ENVIRONMENTS:
            path = slo_rules_path(TREE, env, service)
            if not path.is_file() or yaml.safe_load(path.read_text()) != want:
                stale.append(str(path.relative_to(ROOT)))
    assert not stale, (
        "stale SLO rules (run `slipway-gitops --tree platform/gitops slo-rules SERVICE "
        f"--slo services/SERVICE/slo.yaml`): {stale}"
    )


def _without_value_files(tmp_path: Path, env: str, dropped: str) -> Path:
    """The orders-api Application of `env` without the value files whose name contains `dropped`."""
    app = yaml.safe_load((TREE.service_dir(env, "orders-api") / "application.yaml").read_text())
    source = next(s for s in app["spec"]["sources"] if "helm" in s)
    source["helm"]["valueFiles"] = [f for f in source["helm"]["valueFiles"] if dropped not in f]
    path = tmp_path / "application.yaml"
    path.write_text(yaml.safe_dump(app))
    return path


def test_application_without_the_slo_rules_breaks_the_contract(tmp_path: Path) -> None:
    """Not vacuous: the Application as it was before issue 14 (no slo-rules.yaml)
    renders without alerts, and the contract says so."""
    old = _without_value_files(tmp_path, "prod", "slo-rules.yaml")
    row = summarize("orders-api", "prod", render(helm_source(old, ROOT)))
    assert row.alerts == "-"
    assert any(": alerts is '-'" in p for p in differences(row)), differences(row)


def test_application_without_the_environment_layer_is_refused(tmp_path: Path) -> None:
    """The chart's environments/<env>.yaml owns the network ranges: a service
    names `network: data`, so a render without that layer stops with a message
    saying where the range comes from, instead of allowing the wrong CIDR."""
    old = _without_value_files(tmp_path, "prod", "environments/")
    with pytest.raises(DeliveryError, match=r'network "data" is not in networkPolicy\.networks'):
        render(helm_source(old, ROOT))


def test_parameters_of_the_application_reach_the_render(tmp_path: Path) -> None:
    """`helm.parameters` are read from the Application and win over value files."""
    app = yaml.safe_load((TREE.service_dir("dev", "orders-api") / "application.yaml").read_text())
    source = next(s for s in app["spec"]["sources"] if "helm" in s)
    source["helm"]["parameters"] = [{"name": "replicas", "value": "5"}]
    path = tmp_path / "application.yaml"
    path.write_text(yaml.safe_dump(app))
    row = summarize("orders-api", "dev", render(helm_source(path, ROOT)))
    assert row.replicas == "5"
    assert any("replicas is '5'" in p for p in differences(row))


def _orders_api_with(tmp_path: Path, env: str, parameters: dict[str, str]) -> Path:
    """The orders-api Application of `env` with extra `helm.parameters`."""
    app = yaml.safe_load((TREE.service_dir(env, "orders-api") / "application.yaml").read_text())
    source = next(s for s in app["spec"]["sources"] if "helm" in s)
    source["helm"]["parameters"] = [
        *(source["helm"].get("parameters") or []),
        *({"name": k, "value": v} for k, v in parameters.items()),
    ]
    path = tmp_path / "application.yaml"
    path.write_text(yaml.safe_dump(app))
    return path


@pytest.mark.parametrize("env", ["qa", "prod"])
def test_blue_green_http_api_warms_the_preview_before_its_smoke_load(
    tmp_path: Path, env: str
) -> None:
    """No service of the tree deploys an HTTP API blueGreen (orders-api is
    canary), so orders-api is switched here: its pre-promotion Job runs the
    warm-up, then the smoke load; without the warm-up the contract objects."""
    app = _orders_api_with(tmp_path, env, {"strategy": "blueGreen"})
    row = summarize("orders-api", env, render(helm_source(app, ROOT)))
    assert "preview-smoke [job: warmup, smoke]" in row.analysis
    assert differences(row) == []
    cold = _orders_api_with(tmp_path, env, {"strategy": "blueGreen", "warmup.enabled": "false"})
    row = summarize("orders-api", env, render(helm_source(cold, ROOT)))
    assert "preview-smoke [job: smoke]" in row.analysis
    assert any(": analysis is " in p for p in differences(row)), differences(row)


def test_inventory_command_prints_a_table_per_environment() -> None:
    """The seam a user meets: `slipway-gitops inventory --check` on the real tree."""
    exe = shutil.which("slipway-gitops") or str(Path(sys.executable).parent / "slipway-gitops")
    proc = subprocess.run(
        [exe, "--tree", str(TREE.root), "inventory", "--check"],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for env in ENVIRONMENTS:
        assert f"{env}: {len(SERVICES)} service(s)" in proc.stdout
    for service in SERVICES:
        assert proc.stdout.count(service) >= len(ENVIRONMENTS)
    renders = len(SERVICES) * len(ENVIRONMENTS)
    assert f"environment contract: {renders} render(s), 0 difference(s)" in proc.stderr
    # --json: the one envelope on stdout (CONTRACTS.md), the rows and differences as data
    dev = subprocess.run(
        [exe, "--tree", str(TREE.root), "inventory", "--env", "dev", "--check", "--json"],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
    )  # fmt: skip
    envelope = json.loads(dev.stdout)
    assert (envelope["command"], envelope["result"]) == ("slipway-gitops inventory", "ok")
    assert sorted(r["service"] for r in envelope["data"]["rows"]) == sorted(SERVICES)
    assert {r["env"] for r in envelope["data"]["rows"]} == {"dev"}
    assert envelope["data"]["differences"] == []
