"""Helpers for the fleet tests: run the real CLI, write fleet files, read git."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml


@dataclass
class Run:
    """One `slipway-fleet` invocation: exit code, the envelope's data, stderr."""

    code: int
    doc: dict[str, Any]  # the `--json` envelope's `data`
    stderr: str

    def member(self, name: str) -> dict[str, Any]:
        return next(m for m in self.doc["members"] if m["member"] == name)


def run_fleet(*args: str | Path, env: dict[str, str] | None = None) -> Run:
    """Run the real CLI in a subprocess (as users do) and parse its --json output."""
    proc = subprocess.run(
        [sys.executable, "-m", "slipway_fleet.cli", *map(str, args), "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        check=False,
    )
    try:
        envelope = json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"no JSON on stdout (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    # Every run checks the convention: one envelope, its exit code the process's.
    assert envelope["schema"] == "slipway-cli/1", envelope
    assert envelope["exit_code"] == proc.returncode, envelope
    return Run(proc.returncode, envelope["data"], proc.stderr)


def write_fleet(path: Path, members: list[dict[str, Any]], **extra: Any) -> Path:
    path.write_text(yaml.safe_dump({"members": members, **extra}, sort_keys=False))
    return path


def git_out(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def branches(repo: Path) -> set[str]:
    return set(git_out(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads").split())


def show(repo: Path, ref: str, path: str) -> str:
    return git_out(repo, "show", f"{ref}:{path}")
