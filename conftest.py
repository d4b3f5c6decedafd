"""Repository-wide pytest plumbing: the `requires` marker.

    @pytest.mark.requires("docker", "helm")
    def test_something(): ...

A test that needs an external tool declares it. When a tool is missing, the test
is skipped on a developer machine with a message naming what was NOT checked;
under CI=true it fails instead, because CI provisions every tool
(scripts/provision.sh) and a skip there would hide an unchecked gate.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# How to tell that a tool is usable, beyond being on PATH.
_PROBES: dict[str, list[str]] = {
    "docker": ["docker", "info", "--format", "{{.ServerVersion}}"],
    "registry": ["curl", "-fsS", "http://127.0.0.1:5000/v2/"],
}


@cache
def tool_problem(tool: str) -> str | None:
    """Why `tool` is unusable here, or None when it is usable."""
    probe = _PROBES.get(tool)
    exe = probe[0] if probe else tool
    if shutil.which(exe) is None:
        return f"{exe} is not installed"
    if probe:
        try:
            # Fixed argv from _PROBES above, never user input.
            subprocess.run(probe, check=True, capture_output=True, timeout=20)  # noqa: S603
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            what = "the Docker daemon" if tool == "docker" else tool
            return f"{what} is not running or not answering ({' '.join(probe)} failed: {exc})"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requires(*tools): external tools this test needs (docker, helm, ...)"
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers(name="requires"):
        for tool in marker.args:
            problem = tool_problem(tool)
            if problem is None:
                continue
            msg = f"requires {tool}: {problem}; NOT checked: {item.nodeid}"
            if IN_CI:
                pytest.fail(f"{msg} (CI=true: provision it with scripts/provision.sh)")
            pytest.skip(msg)
