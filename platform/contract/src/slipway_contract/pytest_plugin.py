"""The `requires` pytest marker (a pytest11 plugin: loaded wherever this is installed).

    @pytest.mark.requires("docker", "helm")
    def test_something(): ...

A test that needs an external tool declares it. When a tool is missing, the test
is skipped on a developer machine with a message naming what was NOT checked;
under CI=true it fails instead (slipway_contract.ci), because CI provisions every
tool and a skip there would hide an unchecked gate.
"""

from __future__ import annotations

import shutil
from functools import cache

import pytest

from slipway_contract.ci import in_ci
from slipway_contract.runner import CommandError, run

# How to tell that a tool is usable, beyond being on PATH.
PROBES: dict[str, list[str]] = {
    "docker": ["docker", "info", "--format", "{{.ServerVersion}}"],
    "registry": ["curl", "-fsS", "http://127.0.0.1:5000/v2/"],
}
_PROBE_TIMEOUT = 20.0  # seconds; a busy shared machine answers `docker info` slowly


@cache
def tool_problem(tool: str) -> str | None:
    """Why `tool` is unusable here, or None when it is usable."""
    probe = PROBES.get(tool)
    exe = probe[0] if probe else tool
    if shutil.which(exe) is None:
        return f"{exe} is not installed"
    if probe:
        try:
            run(probe, timeout=_PROBE_TIMEOUT)
        except CommandError as exc:
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
            if in_ci():
                pytest.fail(f"{msg} (CI=true: provision it with scripts/provision.sh)")
            pytest.skip(msg)
