"""Fixtures of the template tests: a snapshot of the template to render from."""

from __future__ import annotations

from pathlib import Path

import pytest
from template_rendering import template_snapshot


@pytest.fixture(scope="session")
def template_src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """copier.yml + template/ + scripts/migrations/ copied once per session."""
    return template_snapshot(tmp_path_factory.mktemp("template-src"))
