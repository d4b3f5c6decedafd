"""Pods meet Pod Security "restricted" and the chart's own hardening rules;
the namespace manifests enforce that profile at a pinned version."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helm_render import ENVIRONMENTS, NAMESPACES, Combination, pod_specs
from pod_security import violations

pytestmark = pytest.mark.requires("helm")

APP_UID = 10001  # CONTRACTS.md: UID/GID 10001; checkov CKV_K8S_40 wants >= 10000


def _pods(rendered_matrix: dict[Combination, Path]) -> list[tuple[str, dict]]:
    found = []
    for combo, path in rendered_matrix.items():
        manifests = [m for m in yaml.safe_load_all(path.read_text()) if m]
        found += [(f"{combo.name} {name}", spec) for name, spec in pod_specs(manifests)]
    return found


def test_every_pod_is_pss_restricted(rendered_matrix: dict[Combination, Path]) -> None:
    pods = _pods(rendered_matrix)
    # Each combination renders the workload and the `helm test` pod; a blueGreen
    # HTTP API also the preview smoke Job's pod (in its AnalysisTemplate).
    smoke = sum(1 for c in rendered_matrix if c.strategy == "blueGreen" and c.kind == "http-api")
    assert smoke == len(ENVIRONMENTS)
    assert len(pods) == 2 * len(rendered_matrix) + smoke
    failures = [f"{name}: {v}" for name, spec in pods for v in violations(spec)]
    assert not failures, "\n".join(failures)


def test_pods_go_beyond_restricted(rendered_matrix: dict[Combination, Path]) -> None:
    """The chart's hardening: fixed UID, read-only root fs, no API token, no service links."""
    for name, spec in _pods(rendered_matrix):
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["enableServiceLinks"] is False, name
        assert spec["securityContext"]["runAsUser"] == APP_UID, name
        assert spec["securityContext"]["runAsGroup"] == APP_UID, name
        for c in spec["containers"]:
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True, name
            assert sc["capabilities"]["drop"] == ["ALL"], name
            assert ":latest" not in c["image"], name
            assert ":" in c["image"] or "@" in c["image"], name
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(c["resources"][kind]), name


def test_writable_paths_are_exactly_tmp_and_multiproc_dir(
    rendered_matrix: dict[Combination, Path],
) -> None:
    for name, spec in _pods(rendered_matrix):
        if "Pod/" in name or "AnalysisTemplate/" in name:
            continue  # the test pod and the smoke Job's pod write nothing
        volumes = {v["name"]: v for v in spec["volumes"]}
        mounts = spec["containers"][0]["volumeMounts"]
        writable = {m["mountPath"] for m in mounts if not m.get("readOnly")}
        assert writable == {"/tmp", "/run/prometheus"}, name
        assert all("emptyDir" in volumes[m["name"]] for m in mounts if not m.get("readOnly"))


def test_violations_catch_a_broken_pod() -> None:
    """The checker is not vacuous: each classic mistake is reported."""
    bad = {
        "hostNetwork": True,
        "securityContext": {"runAsUser": 0},
        "volumes": [{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}],
        "containers": [
            {
                "name": "app",
                "ports": [{"containerPort": 80, "hostPort": 80}],
                "securityContext": {"privileged": True, "capabilities": {"add": ["SYS_ADMIN"]}},
            }
        ],
    }
    found = "\n".join(violations(bad))
    for expected in (
        "hostNetwork", "hostPath", "runAsUser must not be 0", "privileged",
        "capabilities.add", "hostPort", "allowPrivilegeEscalation", "runAsNonRoot",
        "seccompProfile", "drop must include ALL",
    ):  # fmt: skip
        assert expected in found, f"{expected!r} not reported in:\n{found}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_namespace_enforces_restricted_at_a_pinned_version(env: str) -> None:
    manifest = yaml.safe_load((NAMESPACES / f"{env}.yaml").read_text())
    assert manifest["kind"] == "Namespace"
    assert manifest["metadata"]["name"] == env  # charts deploy into `<env>` (CONTRACTS.md)
    labels = manifest["metadata"]["labels"]
    for mode in ("enforce", "warn", "audit"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        version = labels[f"pod-security.kubernetes.io/{mode}-version"]
        assert version.startswith("v1."), f"{mode} version not pinned"
