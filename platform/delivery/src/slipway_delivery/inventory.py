"""What each environment receives: one row per service and environment.

The rows are read from the rendered objects (application_render.py), never
from values files, so they say what Argo CD would apply: which kinds, how many
replicas, how the workload scales, rolls out and is analysed, which alerts and
NetworkPolicies come along. Helm test hooks are left out (Argo CD skips them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from slipway_contract.environments import ENVIRONMENTS

from slipway_delivery.application_render import Manifest, helm_source, render
from slipway_delivery.gitops_tree import GitopsTree


@dataclass(frozen=True)
class Row:
    """One service in one environment, as rendered."""

    service: str
    env: str
    kind: str
    objects: dict[str, int]
    replicas: str  # "2", or "2-6" when an autoscaler owns the count
    autoscaling: str
    strategy: str
    analysis: str
    promotion: str
    alerts: str
    dashboards: int
    network_policies: str
    pdb: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _of(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [m for m in manifests if m.get("kind") == kind]


def _applied(manifests: list[Manifest]) -> list[Manifest]:
    """Without helm test hooks: Argo CD does not apply them."""
    return [
        m for m in manifests
        if "test" not in m.get("metadata", {}).get("annotations", {}).get("helm.sh/hook", "")
    ]  # fmt: skip


def _autoscaling(manifests: list[Manifest]) -> tuple[str, tuple[int, int] | None]:
    for hpa in _of(manifests, "HorizontalPodAutoscaler"):
        spec = hpa["spec"]
        names = []
        for metric in spec.get("metrics", []):
            if metric["type"] == "Resource":
                names.append(metric["resource"]["name"])
            elif metric["type"] == "Object":
                name = metric["object"]["metric"]["name"].rsplit("_", 1)[-1]
                names.append(f"{name} {metric['object']['target']['value']}")
            else:
                names.append(metric["type"])
        return f"HPA: {', '.join(names)}", (spec["minReplicas"], spec["maxReplicas"])
    for so in _of(manifests, "ScaledObject"):
        spec = so["spec"]
        triggers = [f"{t['name']} ({t['type']})" for t in spec["triggers"]]
        bounds = (spec["minReplicaCount"], spec["maxReplicaCount"])
        return f"KEDA: {', '.join(triggers)}", bounds
    return "-", None


def _replicas(manifests: list[Manifest], bounds: tuple[int, int] | None) -> str:
    if bounds:
        return f"{bounds[0]}-{bounds[1]}"
    for workload in _of(manifests, "Rollout") or _of(manifests, "Deployment"):
        return str(workload["spec"].get("replicas", "?"))
    return "?"


def _provider(metric: Manifest) -> str:
    """`prometheus`, or for a job `job: init, ..., main` (its containers in run order)."""
    kind = next(iter(metric["provider"]))
    if kind != "job":
        return str(kind)
    pod = metric["provider"]["job"]["spec"]["template"]["spec"]
    steps = [c["name"] for c in pod.get("initContainers", []) + pod.get("containers", [])]
    return f"job: {', '.join(steps)}"


def _metric_names(templates: dict[str, Manifest], refs: list[dict[str, Any]]) -> list[str]:
    """Per referenced template: `metric, metric [provider, after DELAY]`."""
    names = []
    for ref in refs:
        template = templates.get(ref["templateName"])
        if template is None:
            names.append(f"{ref['templateName']}?")  # a reference to nothing
            continue
        metrics = template["spec"]["metrics"]
        providers = sorted({_provider(m) for m in metrics})
        delays = sorted({m["initialDelay"] for m in metrics if m.get("initialDelay")})
        how = ", ".join(providers + [f"after {d}" for d in delays])
        names.append(f"{', '.join(m['name'] for m in metrics)} [{how}]")
    return names


def _rollout(manifests: list[Manifest]) -> tuple[str, str, str]:
    """strategy, analysis, promotion."""
    rollouts = _of(manifests, "Rollout")
    if not rollouts:
        return "rolling", "-", "-"
    templates = {t["metadata"]["name"]: t for t in _of(manifests, "AnalysisTemplate")}
    strategy = rollouts[0]["spec"]["strategy"]
    if "canary" in strategy:
        canary = strategy["canary"]
        refs = canary.get("analysis", {}).get("templates", [])
        return "canary", "background: " + ", ".join(_metric_names(templates, refs)), "steps"
    bg = strategy["blueGreen"]
    parts = []
    for phase in ("prePromotionAnalysis", "postPromotionAnalysis"):
        refs = bg.get(phase, {}).get("templates", [])
        if refs:
            parts.append(
                f"{phase[: -len('PromotionAnalysis')]}: "
                + ", ".join(_metric_names(templates, refs))
            )
    promotion = "auto" if bg.get("autoPromotionEnabled", True) else "manual"
    return "blueGreen", "; ".join(parts), promotion


def _alerts(manifests: list[Manifest]) -> str:
    """`<slo>: <urgencies>` per SLO of the PrometheusRule(s)."""
    found: dict[str, set[str]] = {}
    for rule in _of(manifests, "PrometheusRule"):
        for group in rule["spec"]["groups"]:
            for r in group["rules"]:
                if "alert" in r:
                    labels = r.get("labels", {})
                    found.setdefault(labels.get("slo", "?"), set()).add(
                        labels.get("urgency", labels.get("severity", "?"))
                    )
    return "; ".join(f"{slo}: {'+'.join(sorted(u))}" for slo, u in sorted(found.items())) or "-"


def summarize(service: str, env: str, manifests: list[Manifest]) -> Row:
    """The inventory row of one render."""
    applied = _applied(manifests)
    workload = (_of(applied, "Deployment") or [{}])[0]
    kind = workload.get("metadata", {}).get("labels", {}).get("app.kubernetes.io/component", "?")
    autoscaling, bounds = _autoscaling(applied)
    strategy, analysis, promotion = _rollout(applied)
    release = service
    policies = sorted(
        m["metadata"]["name"].removeprefix(f"{release}-") for m in _of(applied, "NetworkPolicy")
    )
    pdbs = _of(applied, "PodDisruptionBudget")
    pdb = "-"
    if pdbs:
        spec = pdbs[0]["spec"]
        pdb = ", ".join(f"{k} {spec[k]}" for k in ("maxUnavailable", "minAvailable") if k in spec)
    dashboards = sum(
        1 for m in _of(applied, "ConfigMap")
        if "grafana_dashboard" in m.get("metadata", {}).get("labels", {})
    )  # fmt: skip
    return Row(
        service=service, env=env, kind=kind,
        objects=dict(sorted(Counter(m["kind"] for m in applied).items())),
        replicas=_replicas(applied, bounds), autoscaling=autoscaling,
        strategy=strategy, analysis=analysis, promotion=promotion,
        alerts=_alerts(applied), dashboards=dashboards,
        network_policies=", ".join(policies) or "-", pdb=pdb,
    )  # fmt: skip


def repo_root_of(tree: GitopsTree) -> Path:
    """The repository the Applications point at: the one holding the tree and the chart."""
    for candidate in (tree.root.resolve(), *tree.root.resolve().parents):
        if (candidate / "helm").is_dir() and (candidate / "platform").is_dir():
            return candidate
    return tree.root.resolve().parents[1]


def applications(tree: GitopsTree, env: str | None = None) -> list[tuple[str, str, Path]]:
    """(service, env, application.yaml) of the tree, in promotion order."""
    found = []
    for e in ENVIRONMENTS if env is None else (env,):
        for app in sorted((tree.root / "envs" / e).glob("*/application.yaml")):
            found.append((app.parent.name, e, app))
    return found


def inventory(tree: GitopsTree, env: str | None = None, repo_root: Path | None = None) -> list[Row]:
    """Render every Application of the tree (or of `env`) and summarize it."""
    root = repo_root or repo_root_of(tree)
    return [
        summarize(service, e, render(helm_source(app, root)))
        for service, e, app in applications(tree, env)
    ]
