"""Per-environment renders: one per environment values file, defaults otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from slipway_gates.security.helm_render import (
    find_charts,
    plan_renders,
    render_all,
    service_renders,
)

CHART = """\
apiVersion: v2
name: demo
version: 0.1.0
"""
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
data:
  env: {{ .Values.env | quote }}
"""


def _chart(root: Path) -> Path:
    chart = root / "helm" / "demo"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(CHART)
    (chart / "values.yaml").write_text("env: none\n")
    (chart / "templates" / "configmap.yaml").write_text(CONFIGMAP)
    return chart


def _env_file(chart: Path, env: str, text: str) -> Path:
    path = chart / "environments" / f"{env}.yaml"  # the one layout (helm/slipway-service)
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def test_plans_one_render_per_environment_values_file(tmp_path: Path) -> None:
    chart = _chart(tmp_path)
    dev, prod = (_env_file(chart, env, f"env: {env}\n") for env in ("dev", "prod"))
    assert find_charts(tmp_path) == [chart]
    renders = plan_renders(chart)
    assert [(r.env, r.values) for r in renders] == [("dev", (dev,)), ("prod", (prod,))]


def test_other_layouts_are_not_guessed(tmp_path: Path) -> None:
    """Only environments/<env>.yaml is a chart's environment layer; a values-<env>.yaml
    beside the chart is no layer any deployment loads, so it is not rendered either."""
    chart = _chart(tmp_path)
    (chart / "values-dev.yaml").write_text("env: dev\n")
    assert [r.env for r in plan_renders(chart)] == ["default"]


def test_without_environment_files_renders_the_defaults(tmp_path: Path) -> None:
    assert [r.env for r in plan_renders(_chart(tmp_path))] == ["default"]


@pytest.mark.requires("helm")
def test_renders_with_helm_template(tmp_path: Path) -> None:
    chart = _chart(tmp_path)
    _env_file(chart, "qa", "env: qa\n")
    [out] = render_all(plan_renders(chart), tmp_path / "out")
    assert 'env: "qa"' in out.read_text()


def test_each_service_values_layer_on_the_chart_environment(tmp_path: Path) -> None:
    chart = _chart(tmp_path)
    _env_file(chart, "dev", "env: dev\n")
    svc = tmp_path / "services" / "orders-api" / "deploy" / "helm"
    svc.mkdir(parents=True)
    (svc / "values-dev.yaml").write_text("env: orders-dev\n")
    [render] = service_renders(tmp_path, chart)
    assert render.release == "orders-api"
    assert render.values == (chart / "environments" / "dev.yaml", svc / "values-dev.yaml")


def test_a_service_values_file_serves_every_environment_and_a_per_env_file_layers_last(
    tmp_path: Path,
) -> None:
    chart = _chart(tmp_path)
    for env in ("dev", "prod"):
        _env_file(chart, env, f"env: {env}\n")
    svc = tmp_path / "services" / "orders-api" / "deploy" / "helm"
    svc.mkdir(parents=True)
    (svc / "values.yaml").write_text("strategy: canary\n")
    (svc / "values-prod.yaml").write_text("strategy: blueGreen\n")
    renders = {r.env: r.values for r in service_renders(tmp_path, chart, ("dev", "prod"))}
    assert renders == {
        "dev": (chart / "environments" / "dev.yaml", svc / "values.yaml"),
        "prod": (
            chart / "environments" / "prod.yaml",
            svc / "values.yaml",
            svc / "values-prod.yaml",
        ),
    }
