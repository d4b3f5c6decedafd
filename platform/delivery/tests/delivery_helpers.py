"""Helpers shared by the delivery tests (a unique module name: no clash with other conftests)."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
GITOPS_TREE = REPO_ROOT / "platform" / "gitops"
FIXTURE_SERVICE = Path(__file__).parent / "fixtures" / "hello-service"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def commit(repo: Path, text: str) -> None:
    (repo / "f.txt").write_text(text)
    git(repo, "commit", "-q", "-am", text)
