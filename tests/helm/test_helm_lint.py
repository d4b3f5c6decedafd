"""`helm lint --strict` for every environment x strategy x service kind."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from helm_render import CHART, ENVIRONMENTS, Combination, helm_args, matrix, run_helm

pytestmark = pytest.mark.requires("helm")


def test_chart_lints_strict_with_defaults() -> None:
    proc = run_helm("lint", "--strict", str(CHART))
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("combo", matrix(), ids=lambda c: c.name)
def test_lint_strict(combo: Combination) -> None:
    proc = run_helm(
        "lint", "--strict", str(CHART), "--namespace", combo.env,
        *helm_args(combo.value_files(), combo.sets()),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 chart(s) failed" in proc.stdout


def test_chart_packages_with_its_environment_values(tmp_path: Path) -> None:
    proc = run_helm("package", str(CHART), "--destination", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    (archive,) = tmp_path.glob("slipway-service-*.tgz")
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    for env in ENVIRONMENTS:
        assert f"slipway-service/environments/{env}.yaml" in names
    assert "slipway-service/values.schema.json" in names
