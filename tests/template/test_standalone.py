"""Standalone mode: a rendered service outside the monorepo, platform packages as versioned wheels.

The platform's packages are built into a local find-links folder (the stand-in
for the platform's package index); the service then locks, installs and runs
its own unit tests with uv exactly as a product team's repository would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from template_rendering import ROOT, render

pytestmark = pytest.mark.timeout(900)
PLATFORM_PACKAGES = ["chassis", "observability", "gates", "delivery"]


def _run(cwd: Path, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.requires("uv")
def test_standalone_service_locks_installs_and_tests(template_src: Path, tmp_path: Path) -> None:
    uv = shutil.which("uv")
    assert uv is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    wheels = tmp_path / "platform-wheels"
    for package in PLATFORM_PACKAGES:
        _run(ROOT, uv, "build", "--wheel", "--quiet", "--out-dir", str(wheels),
             str(ROOT / "platform" / package), env=env)  # fmt: skip
    project = render(
        template_src,
        tmp_path / "ledger-api",
        {"service_name": "ledger-api", "repo_mode": "standalone", "database": "none"},
    )
    pyproject = (project / "pyproject.toml").read_text()
    assert '"slipway-chassis>=0.1,<0.2"' in pyproject, "standalone: a versioned dependency"
    assert "workspace = true" not in pyproject
    terraform = (project / "deploy" / "terraform" / "main.tf").read_text()
    source = (
        "git::https://git.example.com/platform/slipway.git//terraform/modules/service?ref=v0.1.0"
    )
    assert source in terraform

    env = {**env, "UV_FIND_LINKS": str(wheels), "UV_PROJECT_ENVIRONMENT": str(project / ".venv")}
    _run(project, uv, "lock", "--quiet", env=env)
    locked = {p["name"]: p for p in _lock_packages(project / "uv.lock")}
    assert "slipway-chassis" in locked
    _run(project, uv, "sync", "--locked", "--quiet", "--group", "test", env=env)
    out = _run(project, uv, "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider",
               "tests/unit", env=env)  # fmt: skip
    assert " passed" in out, out


def _lock_packages(lock: Path) -> list[dict[str, object]]:
    return list(tomllib.loads(lock.read_text())["package"])
