"""`helm lint --strict` for every environment x strategy x service kind."""

from __future__ import annotations

import pytest
from helm_render import CHART, Combination, helm_args, matrix, run_helm

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
