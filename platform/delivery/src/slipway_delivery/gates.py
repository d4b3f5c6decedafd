"""Security gates on a built image, delegated to `slipway-gates` (platform/gates).

The scanners live in slipway-gates; this module only calls them and records the
outcome. When that CLI is not installed the result says "not-run" with the
reason: a gate that did not run is never reported as passed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class GateResult:
    """Outcome of one gate command: passed, failed, or not-run (with why)."""

    name: str
    status: str  # "passed" | "failed" (a finding) | "error" (the tool crashed) | "not-run"
    command: list[str]
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _gates_cli() -> str | None:
    beside = Path(sys.executable).parent / "slipway-gates"
    if beside.is_file():
        return str(beside)
    return shutil.which("slipway-gates")


def _baseline(service_dir: Path) -> Path | None:
    """The detect-secrets baseline: the service's own, else the nearest one above it."""
    for folder in (service_dir, *service_dir.parents):
        if (folder / ".secrets.baseline").is_file():
            return folder / ".secrets.baseline"
        if (folder / ".git").exists():
            break
    return None


def image_gate_commands(cli: str, service_dir: Path, image_ref: str) -> list[tuple[str, list[str]]]:
    """The slipway-gates commands that judge an image (README of platform/gates)."""
    secrets = [cli, "secrets", "--root", str(service_dir), "--image", image_ref]
    if (baseline := _baseline(service_dir)) is not None:
        secrets += ["--baseline", str(baseline)]
    return [
        ("secrets-in-image", secrets),
        ("hadolint", [cli, "hadolint", "--root", str(service_dir)]),
    ]


def run_image_gates(service_dir: Path, image_ref: str) -> list[GateResult]:
    """Run every image gate; never raises for a finding (the caller decides)."""
    cli = _gates_cli()
    if cli is None:
        return [
            GateResult(
                "slipway-gates", "not-run", [], "slipway-gates CLI not installed: image NOT scanned"
            )
        ]
    results = []
    for name, cmd in image_gate_commands(cli, service_dir, image_ref):
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
        tail = (done.stdout + done.stderr).strip()[-2000:]
        if "NOT RUN" in done.stdout + done.stderr:
            # slipway-gates says so when a scanner is missing: never count it as passed.
            results.append(GateResult(name, "not-run", cmd, tail))
        elif done.returncode == 0:
            results.append(GateResult(name, "passed", cmd, tail))
        elif "invalid choice" in done.stderr or "No such command" in done.stderr:
            results.append(GateResult(name, "not-run", cmd, f"slipway-gates lacks it: {tail}"))
        elif "Traceback (most recent call last)" in done.stderr:
            results.append(GateResult(name, "error", cmd, f"slipway-gates crashed: {tail}"))
        else:
            results.append(GateResult(name, "failed", cmd, tail))
    return results
