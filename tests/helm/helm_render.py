"""Render the slipway-service chart with the real `helm` binary and load the result.

Every test in this folder goes through `render()`, so what is asserted is what
`helm install` would send to the API server.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from slipway_contract.environments import ENVIRONMENTS
from slipway_delivery.application_render import helm_source

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "slipway-service"
NAMESPACES = ROOT / "helm" / "namespaces"
STRATEGIES = ("rolling", "canary", "blueGreen")
KINDS = ("http-api", "queue-worker")
RELEASES = {"http-api": "orders-api", "queue-worker": "events-worker"}

Manifest = dict[str, Any]


@dataclass(frozen=True)
class Combination:
    """One cell of the environment x strategy x service-kind matrix."""

    env: str
    strategy: str
    kind: str
    extra_files: tuple[Path, ...] = field(default=())

    @property
    def name(self) -> str:
        return f"{self.env}-{self.strategy}-{self.kind}"

    @property
    def release(self) -> str:
        return RELEASES[self.kind]

    def value_files(self) -> list[Path]:
        """Chart defaults < environment < service kind < scenario overlays."""
        return [
            CHART / "environments" / f"{self.env}.yaml",
            CHART / "ci" / f"{self.kind}-values.yaml",
            *_scenario_overlays(self.env, self.kind),
            *self.extra_files,
        ]

    def sets(self) -> dict[str, str]:
        return {"strategy": self.strategy}


def _scenario_overlays(env: str, kind: str) -> list[Path]:
    """Spread the optional features over the matrix so each is rendered somewhere:
    KEDA in stage (latency triggers for APIs, RabbitMQ for workers), KEDA on a
    Redis list for qa workers, the Gateway API HTTPRoute for prod APIs (HPA there)."""
    ci = CHART / "ci"
    overlays: list[Path] = []
    if env == "stage":
        overlays.append(ci / "keda-values.yaml")
    if env == "qa" and kind == "queue-worker":
        overlays.append(ci / "redis-values.yaml")
    if env == "prod" and kind == "http-api":
        overlays.append(ci / "httproute-values.yaml")
    return overlays


def matrix(extra_files: Iterable[Path] = ()) -> list[Combination]:
    """Every environment x strategy x kind."""
    extra = tuple(extra_files)
    return [
        Combination(env, strategy, kind, extra)
        for env in ENVIRONMENTS
        for strategy in STRATEGIES
        for kind in KINDS
    ]


def generated_services() -> list[Path]:
    """services/* folders that carry values for this chart (generated from the template)."""
    return sorted(p.parent.parent for p in ROOT.glob("services/*/deploy/helm"))


def service_value_files(service: Path, env: str) -> list[Path]:
    """The value files the service's Argo CD Application loads, read from its
    application.yaml (slipway_delivery.application_render), never re-stated here."""
    app = ROOT / "platform" / "gitops" / "envs" / env / service.name / "application.yaml"
    return list(helm_source(app, ROOT).value_files)


def helm_args(files: Iterable[Path] = (), sets: Mapping[str, str] | None = None) -> list[str]:
    args: list[str] = []
    for f in files:
        args += ["-f", str(f)]
    for key, value in (sets or {}).items():
        args += ["--set", f"{key}={value}"]
    return args


def run_helm(*args: str) -> subprocess.CompletedProcess[str]:
    """Run helm, never raising: callers assert on returncode and stderr."""
    return subprocess.run(["helm", *args], capture_output=True, text=True, timeout=120, check=False)


def template_text(
    files: Iterable[Path] = (),
    sets: Mapping[str, str] | None = None,
    *,
    release: str = "orders-api",
    namespace: str = "dev",
) -> str:
    """`helm template` output; raises AssertionError with helm's message on failure."""
    proc = run_helm(
        "template", release, str(CHART), "--namespace", namespace, *helm_args(files, sets)
    )
    assert proc.returncode == 0, f"helm template failed:\n{proc.stderr}"
    return proc.stdout


def render(
    files: Iterable[Path] = (),
    sets: Mapping[str, str] | None = None,
    *,
    release: str = "orders-api",
    namespace: str = "dev",
) -> list[Manifest]:
    """Rendered manifests, parsed (empty documents dropped)."""
    text = template_text(files, sets, release=release, namespace=namespace)
    return [d for d in yaml.safe_load_all(text) if d]


def render_combination(combo: Combination) -> str:
    return template_text(
        combo.value_files(), combo.sets(), release=combo.release, namespace=combo.env
    )


def by_kind(manifests: Iterable[Manifest], kind: str) -> list[Manifest]:
    return [m for m in manifests if m.get("kind") == kind]


def one(manifests: Iterable[Manifest], kind: str) -> Manifest:
    found = by_kind(manifests, kind)
    assert len(found) == 1, f"expected exactly one {kind}, found {len(found)}"
    return found[0]


def pod_specs(manifests: Iterable[Manifest]) -> list[tuple[str, Manifest]]:
    """(object name, pod spec) for every object that creates pods."""
    specs: list[tuple[str, Manifest]] = []
    for m in manifests:
        name = f"{m['kind']}/{m['metadata']['name']}"
        if m["kind"] == "Pod":
            specs.append((name, m["spec"]))
        elif m["kind"] == "AnalysisTemplate":
            # A `job` metric's pod runs in the namespace like any other.
            for metric in m["spec"]["metrics"]:
                if "job" in metric["provider"]:
                    job = metric["provider"]["job"]["spec"]["template"]["spec"]
                    specs.append((f"{name}/{metric['name']}", job))
        elif "template" in m.get("spec", {}):
            specs.append((name, m["spec"]["template"]["spec"]))
    return specs


def app_container(manifests: Iterable[Manifest]) -> Manifest:
    deployment = one(manifests, "Deployment")
    containers = deployment["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if c["name"] == "app")


def container_env(container: Manifest) -> dict[str, str]:
    """Plain-value environment variables of a container."""
    return {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}


def write_values(path: Path, values: Mapping[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(dict(values), sort_keys=False))
    return path
