"""Test plumbing for events-worker: the `requires` marker.

    @pytest.mark.requires("docker")
    def test_against_real_postgres(): ...

A test that needs an external tool declares it. Without the tool it is skipped
with a message naming what was NOT checked; under CI=true it fails instead,
because CI provides the tool and a skip there would hide an unchecked gate.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
_PROBES = {"docker": ["docker", "info", "--format", "{{.ServerVersion}}"]}


@cache
def _tool_problem(tool: str) -> str | None:
    probe = _PROBES.get(tool, [tool, "--version"])
    if shutil.which(probe[0]) is None:
        return f"{probe[0]} is not installed"
    try:
        subprocess.run(probe, check=True, capture_output=True, timeout=20)  # noqa: S603
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        return f"{tool} is not answering ({exc})"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers(name="requires"):
        for tool in marker.args:
            if (problem := _tool_problem(tool)) is None:
                continue
            msg = f"requires {tool}: {problem}; NOT checked: {item.nodeid}"
            if IN_CI:
                pytest.fail(f"{msg} (CI=true: the tool must be there)")
            pytest.skip(msg)
