"""Shared fixtures for slipway-gates tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def advisory_db() -> Path:
    """A few real PyPA advisories (CC-BY-4.0, see fixtures/advisory-db/NOTICE)."""
    return FIXTURES / "advisory-db"


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """An empty git repository (gates list files the way git sees them)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path
