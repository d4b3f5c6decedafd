"""Validate a GitOps tree: images pinned by digest, never `latest`, sane Applications."""

from __future__ import annotations

import re
from pathlib import Path

from slipway_delivery.gitops_tree import ENVIRONMENTS, GitopsTree
from slipway_delivery.registry import DIGEST_PATTERN

_LATEST = re.compile(r"(:latest\b|\btag:\s*['\"]?latest\b)")


def check_tree(tree: GitopsTree) -> list[str]:
    """Every problem found, each naming the file and the rule; empty means valid."""
    problems: list[str] = []
    for path in sorted(tree.root.rglob("*.yaml")):
        rel = path.relative_to(tree.root)
        if _LATEST.search(path.read_text()):
            problems.append(f"{rel}: mentions the 'latest' tag; pin a version and a digest")
    envs_dir = tree.root / "envs"
    for env_dir in sorted(envs_dir.iterdir()) if envs_dir.is_dir() else []:
        if env_dir.name not in ENVIRONMENTS:
            problems.append(f"envs/{env_dir.name}: unknown environment ({', '.join(ENVIRONMENTS)})")
            continue
        for service_dir in sorted(p for p in env_dir.iterdir() if p.is_dir()):
            problems += _check_service(tree, env_dir.name, service_dir)
    return problems


def _check_service(tree: GitopsTree, env: str, folder: Path) -> list[str]:
    rel = folder.relative_to(tree.root)
    problems: list[str] = []
    app = tree.read(folder / "application.yaml")
    if not isinstance(app, dict) or app.get("kind") != "Application":
        problems.append(f"{rel}/application.yaml: missing or not an Argo CD Application")
    else:
        namespace = app.get("spec", {}).get("destination", {}).get("namespace")
        if namespace != env:
            problems.append(
                f"{rel}/application.yaml: destination.namespace {namespace!r} != {env!r}"
            )
        if app.get("metadata", {}).get("name") != f"{folder.name}-{env}":
            problems.append(f"{rel}/application.yaml: metadata.name must be {folder.name}-{env}")
    values = tree.read(folder / "values.yaml")
    if values is not None:
        image = values.get("image") if isinstance(values, dict) else None
        digest = image.get("digest") if isinstance(image, dict) else None
        if not isinstance(digest, str) or not DIGEST_PATTERN.match(digest):
            problems.append(
                f"{rel}/values.yaml: image.digest must be sha256:<64 hex>, got {digest!r}"
            )
    return problems
