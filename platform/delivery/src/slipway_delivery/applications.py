"""Argo CD Applications: one per environment and service, written into the tree.

Each Application renders the platform chart (`helm/slipway-service`) with these
value files, later ones winning: the chart's `environments/<env>.yaml` (relative
to the chart, as Argo CD resolves it: replicas, resources, autoscaling bounds,
network ranges), the service's own `<service>/deploy/helm/values.yaml` (what it is, in
every environment) and, if it has one, `deploy/helm/values-<env>.yaml` (only
what differs in that environment; a missing file is skipped), then from the
tree `slo-rules.yaml` (the SLO alert rules promoted with the digest,
slo_rules.py), `values.yaml` (image digest) and `flags.yaml`. All environments
sync automatically: what reaches stage and prod is gated in git (promotion
policy + the approved pull request), not by clicking Sync.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from slipway_delivery.errors import UsageError
from slipway_delivery.flags import HEADER as FLAGS_HEADER
from slipway_delivery.flags import empty_document
from slipway_delivery.gitops_tree import ENVIRONMENTS, GitopsTree, check_service
from slipway_delivery.slo_rules import FILE_NAME as SLO_RULES_FILE
from slipway_delivery.slo_rules import write_slo_rules

APP_HEADER = "Argo CD Application, written by `slipway-gitops add-service`."
CHART_PATH = "helm/slipway-service"
TREE_PATH = "platform/gitops"


def application(
    service: str, env: str, repo_url: str, service_path: str, revision: str = "main"
) -> dict[str, Any]:
    """The Application manifest for `service` in `env`."""
    base = f"$repo/{TREE_PATH}/envs/{env}/{service}"
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": f"{service}-{env}",
            "namespace": "argocd",
            "labels": {"app.kubernetes.io/name": service, "slipway.dev/environment": env},
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": "slipway",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": env},
            "sources": [
                {
                    "repoURL": repo_url,
                    "targetRevision": revision,
                    "path": CHART_PATH,
                    "helm": {
                        "releaseName": service,
                        "ignoreMissingValueFiles": True,
                        "valueFiles": [
                            f"environments/{env}.yaml",
                            f"$repo/{service_path}/deploy/helm/values.yaml",
                            f"$repo/{service_path}/deploy/helm/values-{env}.yaml",
                            f"{base}/{SLO_RULES_FILE}",
                            f"{base}/values.yaml",
                            f"{base}/flags.yaml",
                        ],
                    },
                },
                {"repoURL": repo_url, "targetRevision": revision, "ref": "repo"},
            ],
            "syncPolicy": {
                "automated": {"prune": True, "selfHeal": True},
                "syncOptions": ["CreateNamespace=false", "PruneLast=true"],
                "retry": {"limit": 3, "backoff": {"duration": "10s", "factor": 2}},
            },
            "revisionHistoryLimit": 10,
        },
    }


def _seed_flags(seed_dir: Path | None, env: str) -> dict[str, Any]:
    """The service's own `flags/<env>.json` (template output), else an empty document."""
    source = seed_dir / "flags" / f"{env}.json" if seed_dir else None
    if source is None or not source.is_file():
        return empty_document()
    try:
        document = json.loads(source.read_text())
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source}: not valid JSON ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("flags"), dict):
        raise UsageError(f"{source}: expected a flagd document with a `flags` mapping")
    return document


def add_service(
    tree: GitopsTree,
    service: str,
    repo_url: str,
    service_path: str,
    seed_dir: Path | None = None,
) -> list[str]:
    """Write the Applications, flag files and SLO rules of a new service; paths written.

    Flag files start from the service's `flags/<env>.json` when `seed_dir` has them;
    the SLO rules come from its `slo.yaml` (then every promotion rewrites them).
    """
    check_service(service)
    written = []
    for env in ENVIRONMENTS:
        folder = tree.service_dir(env, service)
        tree.write(
            folder / "application.yaml",
            application(service, env, repo_url, service_path),
            APP_HEADER,
        )
        written.append(folder / "application.yaml")
        if not tree.flags_path(env, service).is_file():
            document = _seed_flags(seed_dir, env)
            tree.write(tree.flags_path(env, service), {"flags": document}, FLAGS_HEADER)
            written.append(tree.flags_path(env, service))
        slo = seed_dir / "slo.yaml" if seed_dir else None
        if slo is not None and slo.is_file():
            written.append(tree.root / write_slo_rules(tree, env, service, slo))
    return [str(p.relative_to(tree.root)) for p in written]
