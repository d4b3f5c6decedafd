"""Custom resources against validators generated from the *published* CRD
schemas (npm @kubernetes-models/argo-rollouts, keda, prometheus-operator,
exact versions in crd_published/package-lock.json), run with the machine's Node.js.

These catch wrong types and missing required fields as the API server would;
like the API server they ignore unknown fields, which the strict subsets in
crd_schemas/ catch (test_helm_manifests.py). The validators are installed with
`npm ci` into a cache folder outside the repository, keyed by the lock file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.requires("helm", "node", "npm")

SOURCE = Path(__file__).parent / "crd_published"
FILES = ("package.json", "package-lock.json", "validate.mjs")
MODELLED = {"Rollout", "AnalysisTemplate", "ScaledObject", "TriggerAuthentication",
            "ServiceMonitor", "PrometheusRule"}  # fmt: skip


def _cache_root() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    digest = hashlib.sha256(b"".join((SOURCE / f).read_bytes() for f in FILES)).hexdigest()
    return base / "slipway" / f"crd-validators-{digest[:16]}"


@pytest.fixture(scope="session")
def validator_dir() -> Path:
    target = _cache_root()
    if not (target / "node_modules" / ".package-lock.json").is_file():
        staging = target.with_name(target.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for f in FILES:
            shutil.copy2(SOURCE / f, staging / f)
        proc = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"],
            cwd=staging, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, f"npm ci of the CRD validators failed:\n{proc.stderr}"
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return target


def validate(validator_dir: Path, manifests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    proc = subprocess.run(
        ["node", str(validator_dir / "validate.mjs")],
        input=json.dumps(manifests), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_custom_resources_match_the_published_crd_schemas(
    validator_dir: Path, rendered_folder: Path
) -> None:
    manifests = [
        m
        for path in sorted(rendered_folder.glob("*.yaml"))
        for m in yaml.safe_load_all(path.read_text())
        if m and m["kind"] in MODELLED
    ]
    results = validate(validator_dir, manifests)
    assert {r["kind"] for r in results if r.get("ok")} == MODELLED, "every CRD kind validated"
    errors = [f"{r['kind']}/{r['name']}: {r['error']}" for r in results if "error" in r]
    assert not errors, "\n".join(errors)


def test_published_validators_reject_wrong_types(
    validator_dir: Path, rendered_folder: Path
) -> None:
    """Not vacuous: a wrong type in a rendered Rollout and ScaledObject is reported."""
    path = rendered_folder / "stage-canary-http-api.yaml"
    docs = [m for m in yaml.safe_load_all(path.read_text()) if m]
    rollout = next(m for m in docs if m["kind"] == "Rollout")
    scaled = next(m for m in docs if m["kind"] == "ScaledObject")
    rollout["spec"]["strategy"]["canary"]["maxSurge"] = True
    scaled["spec"]["pollingInterval"] = "often"
    results = validate(validator_dir, [rollout, scaled])
    assert "maxSurge" in results[0].get("error", ""), results[0]
    assert "pollingInterval" in results[1].get("error", ""), results[1]
