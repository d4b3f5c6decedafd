"""Validation of one rendered manifest: Kubernetes kinds against the official
schemas shipped by kubernetes-validate (--strict), custom resources against the
strict CRD subsets in crd_schemas/."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate

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
