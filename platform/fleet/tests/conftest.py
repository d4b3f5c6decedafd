"""Shared fixtures: one template repository with real releases per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from slipway_fleet.testing import MemberFactory, make_template_repo


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template_repo(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def factory(template_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> MemberFactory:
    return MemberFactory(template_repo, tmp_path_factory.mktemp("renders"))
