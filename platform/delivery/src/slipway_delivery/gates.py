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
    status: str  # "passed" | "failed" | "not-run"
    command: list[str]
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _gates_cli() -> str | None:
    beside = Path(sys.executable).parent / "slipway-gates"
    if beside.is_file():
        return str(beside)
    return shutil.which("slipway-gates")


def image_gate_commands(cli: str, service_dir: Path, image_ref: str) -> list[tuple[str, list[str]]]:
    """The slipway-gates commands that judge an image (README of platform/gates)."""
    return [
        ("secrets-in-image", [cli, "secrets", "--root", str(service_dir), "--image", image_ref]),
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
        if done.returncode == 0:
            results.append(GateResult(name, "passed", cmd, tail))
        elif "invalid choice" in done.stderr or "No such command" in done.stderr:
            results.append(GateResult(name, "not-run", cmd, f"slipway-gates lacks it: {tail}"))
        else:
            results.append(GateResult(name, "failed", cmd, tail))
    return results
