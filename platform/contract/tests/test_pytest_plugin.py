"""The `requires` marker as a test suite meets it: a real pytest run, no conftest.

The child pytest loads only this plugin (`-p`, autoload off): the workspace has a
dozen pytest11 plugins and loading them all costs seconds per run; that pytest
finds this one by itself is pinned by the entry-point test below."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

_TESTS = """
import pytest

@pytest.mark.requires("no-such-tool-slipway")
def test_needs_a_missing_tool():
    raise AssertionError("must never run")

@pytest.mark.requires("python3")
def test_needs_python():
    pass
"""


def _pytest(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_demo.py").write_text(_TESTS)
    env = {**os.environ, "CI": ci, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-rA", "--strict-markers", "-p", "no:cacheprovider",
         "-p", "slipway_contract.pytest_plugin", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip


def test_locally_a_missing_tool_skips_naming_what_was_not_checked(tmp_path: Path) -> None:
    done = _pytest(tmp_path, ci="")
    assert done.returncode == 0, done.stdout
    assert "1 passed, 1 skipped" in done.stdout
    expected = (
        "requires no-such-tool-slipway: no-such-tool-slipway is not installed; "
        "NOT checked: test_demo.py::test_needs_a_missing_tool"
    )
    assert expected in done.stdout


def test_in_ci_a_missing_tool_fails(tmp_path: Path) -> None:
    done = _pytest(tmp_path, ci="true")
    assert done.returncode == 1, done.stdout
    assert "1 passed, 1 error" in done.stdout  # pytest.fail in setup: an error
    assert "CI=true: provision it with scripts/provision.sh" in done.stdout


def test_pytest_finds_the_plugin_through_its_entry_point() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert found.get("slipway-requires") == "slipway_contract.pytest_plugin"
