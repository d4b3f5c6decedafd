"""Security gates on a built image, delegated to `slipway-gates` (platform/gates).

The scanners live in slipway-gates; this module calls them with `--json` and
reads their envelope (CONTRACTS.md "Command lines"): the outcomes say what
passed, failed or was NOT run, never a guess from the text. When that CLI is
not installed, refuses the command line or prints no envelope, the result says
so: a gate that did not run is never reported as passed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slipway_contract.exit_codes import ExitCode
from slipway_contract.outcome import Outcome, Status

_DETAIL = 2000  # characters of the gate's own report kept in the release record


@dataclass(frozen=True)
class GateResult:
    """Outcome of one gate command: passed, failed, error (it crashed) or not-run (why)."""

    name: str
    status: Status
    command: list[str]
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "command": self.command,
            "detail": self.detail,
        }


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
    secrets = [cli, "secrets", "--json", "--root", str(service_dir), "--image", image_ref]
    if (baseline := _baseline(service_dir)) is not None:
        secrets += ["--baseline", str(baseline)]
    return [
        ("secrets-in-image", secrets),
        ("hadolint", [cli, "hadolint", "--json", "--root", str(service_dir)]),
    ]


def run_image_gates(service_dir: Path, image_ref: str) -> list[GateResult]:
    """Run every image gate; never raises for a finding (the caller decides)."""
    cli = _gates_cli()
    if cli is None:
        return [
            GateResult(
                "slipway-gates",
                Status.NOT_RUN,
                [],
                "slipway-gates CLI not installed: image NOT scanned",
            )
        ]
    results = []
    for name, cmd in image_gate_commands(cli, service_dir, image_ref):
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
        results.append(judge(name, cmd, done.returncode, done.stdout, done.stderr))
    return results


def judge(name: str, cmd: list[str], returncode: int, stdout: str, stderr: str) -> GateResult:
    """One gate's result from its exit code and its `--json` envelope."""
    report = stderr.strip()[-_DETAIL:]  # with --json, the person's report is on stderr
    try:
        envelope = json.loads(stdout)
        outcomes = [Outcome.from_dict(o) for o in envelope["outcomes"]]
    except (ValueError, KeyError, TypeError):
        tail = (stdout + stderr).strip()[-_DETAIL:]
        return GateResult(name, Status.ERROR, cmd, f"slipway-gates printed no envelope: {tail}")
    if returncode == ExitCode.USAGE:
        return GateResult(name, Status.NOT_RUN, cmd, f"slipway-gates refused it: {report}")
    statuses = {o.status for o in outcomes}
    for status in (Status.FAILED, Status.ERROR, Status.NOT_RUN):  # the worst one decides
        if status in statuses:
            return GateResult(name, status, cmd, report)
    if returncode != ExitCode.OK or not outcomes:
        return GateResult(name, Status.ERROR, cmd, f"exit {returncode}, nothing checked: {report}")
    return GateResult(name, Status.PASSED, cmd, report)
