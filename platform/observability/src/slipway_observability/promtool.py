"""Thin wrappers around the real `promtool` binary (rule checks and rule unit tests)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


class ToolMissingError(RuntimeError):
    """A required binary is not on PATH."""


@dataclass(frozen=True)
class ToolResult:
    ok: bool
    output: str  # stdout + stderr, for messages
    stdout: str = ""  # stdout alone, for machine-readable output


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ToolMissingError(
            f"{name} is not on PATH: install it (Debian: apt-get install prometheus "
            "prometheus-alertmanager) or run scripts/provision.sh"
        )
    return path


def run(tool: str, *args: str | Path, timeout: float = 600) -> ToolResult:
    """Run `tool args...`; ok is the exit status, output is stdout+stderr."""
    proc = subprocess.run(  # noqa: S603 - fixed binary, arguments are file paths
        [_binary(tool), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return ToolResult(proc.returncode == 0, (proc.stdout + proc.stderr).strip(), proc.stdout)


def check_rules(*files: Path) -> ToolResult:
    return run("promtool", "check", "rules", *files)


def test_rules(*files: Path) -> ToolResult:
    return run("promtool", "test", "rules", *files)


def check_config(file: Path) -> ToolResult:
    return run("promtool", "check", "config", file)
