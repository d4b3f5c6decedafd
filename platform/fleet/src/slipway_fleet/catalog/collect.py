"""One catalog entry per member: answers file, slo.yaml, fleet status, GitOps state.

The GitOps tree is read by its layout (platform/gitops/README.md):
`envs/<env>/<service>/values.yaml` holds the image pinned by digest and
`promotions.yaml` the history; slipway-fleet does not import the delivery
package for two YAML files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from slipway_contract.environments import ENVIRONMENTS

from slipway_fleet.status import MemberStatus


@dataclass
class Deployment:
    env: str
    digest: str = ""
    version: str = ""
    deployed_at: str = ""
    trigger: str = ""


@dataclass
class SloTarget:
    name: str
    objective: float
    detail: str
    budget_remaining: float | None = None  # None: no Prometheus, or no data


@dataclass
class ServiceEntry:
    name: str
    member: str
    owner: str
    kind: str
    description: str
    template_version: str
    template_latest: str
    behind: int | None
    drift: list[str]
    status_problem: str
    environments: list[Deployment]
    slos: list[SloTarget]
    window: str
    runbook_url: str
    runbook_path: str  # the member's RUNBOOK.md, when it has one
    dashboards: list[str] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return bool(self.drift)


def _yaml(path: Path) -> Any:
    if not path.is_file():
        return None
    return yaml.safe_load(path.read_text())


def _slos(spec: dict[str, Any]) -> list[SloTarget]:
    targets = []
    for name, slo in (spec.get("slos") or {}).items():
        if not isinstance(slo, dict) or "objective" not in slo:
            continue
        if "threshold_seconds" in slo:
            detail = f"requests under {slo['threshold_seconds']} s"
        elif "max_age_seconds" in slo:
            detail = f"oldest message under {slo['max_age_seconds']} s"
        else:
            detail = "non-5xx responses"
        targets.append(SloTarget(name, float(slo["objective"]), detail))
    return targets


def _deployments(tree: Path | None, service: str, envs: list[str]) -> list[Deployment]:
    out = []
    for env in envs:
        dep = Deployment(env)
        if tree is not None:
            base = tree / "envs" / env / service
            image = (_yaml(base / "values.yaml") or {}).get("image") or {}
            dep.digest, dep.version = str(image.get("digest", "")), str(image.get("tag", ""))
            history = _yaml(base / "promotions.yaml") or []
            if history and isinstance(history[-1], dict):
                dep.deployed_at = str(history[-1].get("at", ""))
                dep.trigger = str(history[-1].get("trigger", ""))
        out.append(dep)
    return out


def collect_service(directory: Path, status: MemberStatus, gitops: Path | None) -> ServiceEntry:
    """The entry of the member whose project folder is `directory`."""
    answers = _yaml(directory / ".copier-answers.yml") or {}
    spec = _yaml(directory / "slo.yaml") or {}
    name = str(answers.get("service_name") or spec.get("service") or status.member)
    envs = [str(e) for e in answers.get("environments") or ENVIRONMENTS]
    version = status.version or (f"commit {status.commit}" if status.commit else "unknown")
    return ServiceEntry(
        name=name,
        member=status.member,
        owner=str(answers.get("owner_team") or spec.get("team") or "unowned"),
        kind=str(answers.get("service_kind") or "unknown"),
        description=str(answers.get("description") or ""),
        template_version=version,
        template_latest=status.latest,
        behind=status.behind,
        drift=[*status.drift_modified, *(f"{p} (deleted)" for p in status.drift_deleted)],
        status_problem=status.problem.splitlines()[0] if status.problem else "",
        environments=_deployments(gitops, name, envs),
        slos=_slos(spec),
        window=str(spec.get("window") or ""),
        runbook_url=str(spec.get("runbook_url") or ""),
        runbook_path=str(directory / "RUNBOOK.md") if (directory / "RUNBOOK.md").is_file() else "",
    )
