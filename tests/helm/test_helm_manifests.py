"""Every rendered manifest is valid: Kubernetes kinds against the official
schemas (kubernetes-validate --strict, 1.30 and the newest it ships), custom
resources against the strict CRD subsets in crd_schemas/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from helm_render import NAMESPACES, Combination
from manifest_validation import CUSTOM_KINDS, problems

pytestmark = pytest.mark.requires("helm")


def test_every_combination_validates(rendered_matrix: dict[Combination, Path]) -> None:
    failures = []
    kinds_seen: set[str] = set()
    for combo, path in rendered_matrix.items():
        for manifest in yaml.safe_load_all(path.read_text()):
            if not manifest:
                continue
            kinds_seen.add(manifest["kind"])
            failures += [
                f"{combo.name} {manifest['kind']}/{manifest['metadata']['name']}: {p}"
                for p in problems(manifest)
            ]
    assert not failures, "\n".join(failures)
    # The matrix must really exercise every optional object the chart can render.
    expected = {kind for _, kind in CUSTOM_KINDS} | {
        "Deployment", "Service", "ServiceAccount", "ConfigMap", "NetworkPolicy",
        "PodDisruptionBudget", "HorizontalPodAutoscaler", "Ingress", "Pod",
    }  # fmt: skip
    assert expected <= kinds_seen, f"never rendered: {sorted(expected - kinds_seen)}"


def test_namespace_manifests_validate() -> None:
    for path in sorted(NAMESPACES.glob("*.yaml")):
        for manifest in yaml.safe_load_all(path.read_text()):
            assert not problems(manifest), (path.name, problems(manifest))


@pytest.mark.parametrize(
    ("kind", "mutate"),
    [
        ("Rollout", lambda m: m["spec"]["strategy"]["canary"].update(setWieght=20)),
        ("AnalysisTemplate", lambda m: m["spec"]["metrics"][0].update(sucessCondition="x")),
        ("ScaledObject", lambda m: m["spec"].update(minReplicas=1)),
        ("ServiceMonitor", lambda m: m["spec"].update(podTargetLabel=["x"])),
    ],
)
def test_crd_schemas_catch_misspelt_fields(
    rendered_matrix: dict[Combination, Path], kind: str, mutate: Any
) -> None:
    """The CRD subsets are strict: a typo that the API server would prune fails here."""
    path = next(p for c, p in rendered_matrix.items() if c.name == "stage-canary-http-api")
    manifest = next(m for m in yaml.safe_load_all(path.read_text()) if m and m["kind"] == kind)
    assert not problems(manifest)
    mutate(manifest)
    assert problems(manifest), f"a misspelt {kind} field went unnoticed"
