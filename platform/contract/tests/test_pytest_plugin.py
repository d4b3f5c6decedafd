"""The `requires` marker as a test suite meets it: a real pytest run that only has
the plugin because this package is installed (pytest11 entry point, no conftest)."""

from __future__ import annotations

import os
import subprocess
import sys
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
    env = {**os.environ, "CI": ci}
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-rA", "--strict-markers", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(tmp_path)],
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
