"""Every rendered manifest is valid: Kubernetes kinds against the official
schemas (kubernetes-validate --strict, 1.30 and the newest it ships), custom
resources against the strict CRD subsets in crd_schemas/."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from helm_render import NAMESPACES, Combination

pytestmark = pytest.mark.requires("helm")

K8S_VERSIONS = ("1.30", kubernetes_validate.latest_version())
# kubernetes-validate re-reads and re-parses its multi-megabyte definitions file
# for every resource; the files never change during a run, so parse each once.
# (Only the reading is cached; validation itself is the library's own.)
kubernetes_validate.utils.schema_contents = cache(kubernetes_validate.utils.schema_contents)
CRD_SCHEMAS = Path(__file__).parent / "crd_schemas"
CUSTOM_KINDS = {
    ("argoproj.io/v1alpha1", "Rollout"),
    ("argoproj.io/v1alpha1", "AnalysisTemplate"),
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule"),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"),
}


def crd_validator(api_version: str, kind: str) -> jsonschema.Draft7Validator:
    name = f"{api_version.replace('/', '_')}_{kind}.json"
    return jsonschema.Draft7Validator(json.loads((CRD_SCHEMAS / name).read_text()))


def problems(manifest: dict[str, Any]) -> list[str]:
    """Validation errors of one manifest, one short line each."""
    key = (manifest["apiVersion"], manifest["kind"])
    if key in CUSTOM_KINDS:
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in crd_validator(*key).iter_errors(manifest)
        ]
    found = []
    for version in K8S_VERSIONS:
        try:
            kubernetes_validate.validate(manifest, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            found.append(f"k8s {version}: {str(exc).splitlines()[0]}")
        except kubernetes_validate.SchemaNotFoundError:
            found.append(f"k8s {version}: no schema for {key} (add a CRD schema to crd_schemas/)")
    return found


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
