"""Render every chart once per environment with `helm template`, for checkov.

Checkov's own helm runner renders with default values only; the environments
differ (replicas, HPA, network policies...), so each is rendered and checked.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from slipway_contract.environments import ENVIRONMENTS

# Where a chart's per-environment values may live, relative to the chart directory
# and to its parent (the helm/ folder): the first match per environment wins.
_VALUES_LAYOUTS = (
    "values-{env}.yaml",
    "values.{env}.yaml",
    "values/{env}.yaml",
    "env/{env}.yaml",
    "envs/{env}.yaml",
    "environments/{env}.yaml",
    "environments/{env}/values.yaml",
)


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
    """One render per environment that has a values file; defaults only if none has."""
    renders = []
    for env in envs:
        for base in (chart, chart.parent):
            found = [base / layout.format(env=env) for layout in _VALUES_LAYOUTS]
            found = [f for f in found if f.is_file()]
            if found:
                renders.append(Render(chart, env, (found[0],)))
                break
    return renders or [Render(chart, "default", ())]


def service_renders(root: Path, chart: Path, envs: tuple[str, ...] = ENVIRONMENTS) -> list[Render]:
    """Renders of `chart` with each service's own values (`<service>/deploy/helm/values.yaml`, then
    the optional `values-<env>.yaml`) layered on the chart's environment values: what each service
    really deploys. A service with a values.yaml is rendered in every environment."""
    chart_values = {r.env: r.values for r in plan_renders(chart, envs)}
    renders = []
    for values_dir in sorted(root.glob("**/deploy/helm")):
        if {".git", ".nox", ".venv", "template"} & set(values_dir.relative_to(root).parts):
            continue
        service = values_dir.parent.parent.name
        common = values_dir / "values.yaml"
        for env in envs:
            own = tuple(p for p in (common, values_dir / f"values-{env}.yaml") if p.is_file())
            if own:
                layers = (*chart_values.get(env, ()), *own)
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
