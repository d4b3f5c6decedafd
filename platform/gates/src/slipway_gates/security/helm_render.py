"""Render every chart once per environment with `helm template`, for checkov.

Checkov's own helm runner renders with default values only; the environments
differ (replicas, HPA, network policies...), so each is rendered and checked.
`value_layers` is the one place the gates layer values files (checkov here, the
kind e2e plan too), in the order a service's Argo CD Application loads them.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from slipway_contract.environments import ENVIRONMENTS

# The layers of one render, in the order of a service's Argo CD Application
# (slipway_delivery.applications; tests/helm/test_environment_contract.py pins it):
# the chart's environment file, then the service's deploy/helm/ files. A missing
# file is skipped, as Argo CD's ignoreMissingValueFiles does.
CHART_ENV_VALUES = "environments/{env}.yaml"  # replicas, resources, autoscaling, networks
SERVICE_VALUES = ("values.yaml", "values-{env}.yaml")  # what the service is; real differences


def chart_layers(chart: Path, env: str) -> tuple[Path, ...]:
    """The chart's own values for `env` (none when the chart has no such file)."""
    path = chart / CHART_ENV_VALUES.format(env=env)
    return (path,) if path.is_file() else ()


def service_layers(helm_dir: Path, env: str) -> tuple[Path, ...]:
    """A service's values files for `env` (its deploy/helm/ folder), those that exist."""
    paths = (helm_dir / name.format(env=env) for name in SERVICE_VALUES)
    return tuple(p for p in paths if p.is_file())


def value_layers(chart: Path, helm_dir: Path, env: str) -> tuple[Path, ...]:
    """Every values file of the service in `helm_dir` deployed with `chart` to `env`."""
    return chart_layers(chart, env) + service_layers(helm_dir, env)


@dataclass(frozen=True)
class Render:
    """One `helm template` invocation: a chart, an environment and its values files."""

    chart: Path
    env: str
    values: tuple[Path, ...]
    release: str = "gates"

    def command(self) -> list[str]:
        cmd = ["helm", "template", self.release, str(self.chart), "--namespace", self.env]
        for v in self.values:
            cmd += ["--values", str(v)]
        return cmd


def find_charts(root: Path) -> list[Path]:
    """Chart directories (holding Chart.yaml) under root, except vendored subcharts/templates."""
    charts = []
    for chart_yaml in sorted(root.rglob("Chart.yaml")):
        parts = set(chart_yaml.relative_to(root).parts)
        if parts & {".git", ".nox", ".venv", "charts", "template", "node_modules"}:
            continue
        charts.append(chart_yaml.parent)
    return charts


def plan_renders(chart: Path, envs: tuple[str, ...] = ENVIRONMENTS) -> list[Render]:
    """One render per environment the chart has values for; defaults only if it has none."""
    renders = [Render(chart, env, layers) for env in envs if (layers := chart_layers(chart, env))]
    return renders or [Render(chart, "default", ())]


def service_renders(root: Path, chart: Path, envs: tuple[str, ...] = ENVIRONMENTS) -> list[Render]:
    """Renders of `chart` with each service's own values (`<service>/deploy/helm/values.yaml`, then
    the optional `values-<env>.yaml`) layered on the chart's environment values: what each service
    really deploys. A service with a values.yaml is rendered in every environment."""
    renders = []
    for values_dir in sorted(root.glob("**/deploy/helm")):
        if {".git", ".nox", ".venv", "template"} & set(values_dir.relative_to(root).parts):
            continue
        service = values_dir.parent.parent.name
        for env in envs:
            if service_layers(values_dir, env):
                layers = value_layers(chart, values_dir, env)
                renders.append(Render(chart, env, layers, release=service))
    return renders


def render_all(renders: list[Render], out_dir: Path) -> list[Path]:
    """Run every render into out_dir/<chart>-<env>.yaml; raises with helm's message on error."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for r in renders:
        proc = subprocess.run(r.command(), capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(r.command())} failed:\n{proc.stderr.strip()}")
        target = out_dir / f"{r.chart.name}-{r.release}-{r.env}.yaml"
        target.write_text(proc.stdout)
        written.append(target)
    return written
