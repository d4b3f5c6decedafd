"""Fixtures for the delivery tests: throwaway git repos and GitOps trees."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from delivery_helpers import GITOPS_TREE, git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with one commit."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "f.txt").write_text("1")
    git(path, "add", "f.txt")
    git(path, "commit", "-q", "-m", "one")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A temporary copy of the committed GitOps tree (never the real one), as its own git repo."""
    dest = tmp_path / "gitops"
    shutil.copytree(GITOPS_TREE, dest)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "config", "user.name", "Release Bot")
    git(dest, "config", "user.email", "release-bot@example.com")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "environments tree")
    return dest
