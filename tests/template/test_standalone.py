"""Standalone mode end to end: a product team's own repository on the platform's index.

A real pypiserver (slipway-index) holds the platform packages, published at the
newest CHANGELOG release exactly as `nox -s publish` does. The template is a git
repository released with that tag (as `nox -s template-release` makes it). Then,
as a team would:

1. `copier copy --trust` outside the monorepo into its own git repository: the
   render ships a uv.lock made against the index (the copier task);
2. `uv sync --locked`, with no find-links and no workspace: the platform packages
   come from the index alone;
3. the project's own nox sessions lint, typecheck and unit tests, under CI=true
   (so they too install with `--locked`);
4. its image, built by its own delivery tools (installed from the index) from the
   locked wheelhouse, and the container answers /readyz;
5. a new template release (a changed file and a new question) is tagged in the
   template repository, and `copier update` runs non-interactively: the team's
   local edit is kept, the new answer applied, the lock remade, tests green.

Timings of each step are printed and written to reports/standalone/timings.json.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from slipway_index.packages import platform_closure
from slipway_index.publish import build_wheels, upload
from slipway_index.server import IndexServer, stop, write_htpasswd
from template_rendering import ROOT, render, template_snapshot

sys.path.insert(0, str(ROOT / "scripts"))
from template_release import changelog_entries

pytestmark = [pytest.mark.timeout(1200), pytest.mark.requires("uv", "nox", "docker")]
USER = "publisher"
PASSWORD = secrets.token_urlsafe(16)  # per run, never in the repository
NEW_QUESTION = """
on_call_channel:
  type: str
  help: Chat channel paged for this service
  default: "#{{ service_name }}-oncall"
"""
LOCAL_EDIT = "# ledger team: our own note, kept across template updates\n"


def _release() -> str:
    return next(iter(changelog_entries((ROOT / "CHANGELOG.md").read_text())))


def _free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment a team's shell has: none of this run's uv/virtualenv settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV", "NOX"))}
    return {**env, **extra}


def _run(cwd: Path, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done.stdout + done.stderr


def _git(cwd: Path, *args: str) -> str:
    ident = ["-c", "user.name=Ledger Team", "-c", "user.email=ledger@test.invalid"]
    return _run(cwd, "git", *ident, *args, env=_clean_env())


@pytest.fixture(scope="module")
def platform_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    """pypiserver with the platform packages published at the current release."""
    state = tmp_path_factory.mktemp("index")
    server = IndexServer(
        state / "packages", write_htpasswd(state / "htpasswd", USER, PASSWORD), _free_port()
    )
    proc = server.start(state / "pypiserver.log", state / "pypiserver.pid")
    wheels = build_wheels(platform_closure(ROOT), _release(), state / "wheels")
    upload(wheels, server.url, USER, PASSWORD)
    yield server
    stop(proc, state / "pypiserver.pid")


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as a git repository, its current release tagged."""
    repo = template_snapshot(tmp_path_factory.mktemp("template-repo"))
    _git(repo, "init", "--quiet", "--initial-branch=main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "--quiet", "-m", f"template {_release()}")
    _git(repo, "tag", "-a", _release(), "-m", f"template {_release()}")
    return repo


def _answers_readyz(image: str) -> None:
    name = f"t15-standalone-run-{uuid.uuid4().hex[:8]}"
    _run(ROOT, "docker", "run", "-d", "--name", name, "-e", "APP_ENV=dev",
         "-p", "127.0.0.1::8000", image, env=_clean_env())  # fmt: skip
    try:
        port = (
            _run(ROOT, "docker", "port", name, "8000/tcp", env=_clean_env()).split(":")[-1].strip()
        )
        deadline, last = time.monotonic() + 120, "no answer"
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=3) as answer:
                    assert answer.status == 200
                    return
            except (OSError, urllib.error.HTTPError) as exc:
                last = str(exc)
                time.sleep(0.5)
        logs = subprocess.run(["docker", "logs", name], capture_output=True, text=True, check=False)
        pytest.fail(
            f"{image}: /readyz never answered 200 ({last})\n{logs.stdout[-2000:]}"
            f"{logs.stderr[-2000:]}"
        )
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)


def _lock_sources(project: Path) -> dict[str, object]:
    lock = tomllib.loads((project / "uv.lock").read_text())
    return {p["name"]: p for p in lock["package"]}


def test_standalone_repository_from_the_index_then_a_template_update(
    platform_index: IndexServer, template_repo: Path, tmp_path: Path
) -> None:
    timings: dict[str, float] = {}
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        timings[name] = round(time.monotonic() - clock, 1)
        clock = time.monotonic()

    env = _clean_env(CI="true", TESTCONTAINERS_RYUK_DISABLED="true")
    release = _release()
    project = tmp_path / "ledger-api"
    answers = {
        "service_name": "ledger-api",
        "repo_mode": "standalone",
        "database": "none",
        "package_index_url": platform_index.simple_url,
    }
    render(template_repo, project, answers, vcs_ref=release)
    lap("render + lock (copier copy, task: uv lock)")

    # The render is a standalone project pointed at the index, with a lock made against it.
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["tool"]["uv"]["index"] == [
        {"name": "slipway", "url": platform_index.simple_url}
    ]
    assert "sources" not in pyproject["tool"]["uv"], "standalone: no workspace sources"
    locked = _lock_sources(project)
    for name in ("slipway-chassis", "slipway-gates", "slipway-delivery", "slipway-observability"):
        assert locked[name]["version"] == release, (name, locked[name])  # type: ignore[index]
        assert locked[name]["source"] == {"registry": platform_index.simple_url}, locked[name]  # type: ignore[index]
    terraform = (project / "deploy" / "terraform" / "main.tf").read_text()
    assert f"//terraform/modules/service?ref={release}" in terraform

    _git(project, "init", "--quiet", "--initial-branch=main")
    _git(project, "add", "-A")
    _git(project, "commit", "--quiet", "-m", f"ledger-api from template {release}")

    _run(project, "uv", "sync", "--locked", "--quiet", "--group", "test", env=env)
    lap("uv sync --locked (index + PyPI, no find-links)")
    out = _run(project, "nox", "-s", "lint", "typecheck", env=env)
    assert "Session typecheck was successful" in out, out[-2000:]
    out = _run(project, "nox", "-s", "tests", "--", "tests/unit", "-p", "no:cacheprovider", env=env)
    assert " passed" in out, out[-2000:]
    assert "Session tests was successful" in out, out[-2000:]
    lap("first green run (nox lint, typecheck, unit tests)")

    # The image, built by the project's own delivery tools (slipway-delivery from the
    # index) from a wheelhouse pip downloaded with the lock's hashes, index included.
    release_dir = tmp_path / "release"
    image_name = f"t15-standalone-{uuid.uuid4().hex[:8]}"
    _run(project, "uv", "run", "--locked", "--quiet", "--group", "delivery",
         "slipway-release", "run", "--service-dir", ".", "--service", image_name,
         "--no-push", "--no-gates", "--no-smoke", "--out", str(release_dir), env=env)  # fmt: skip
    record = json.loads((release_dir / "release.json").read_text())
    assert any(w.startswith(f"slipway_chassis-{release}-") for w in record["wheelhouse"]["deps"])
    requirements = (project / "wheelhouse" / "requirements.txt").read_text()
    assert f"--extra-index-url {platform_index.simple_url}" in requirements
    lap("image build (wheelhouse from the index + PyPI, BuildKit)")
    try:
        _answers_readyz(record["build"]["refs"][0])
    finally:
        subprocess.run(
            ["docker", "rmi", "-f", *record["build"]["refs"]], capture_output=True, check=False
        )
    lap("container answers /readyz")

    # The team edits its repository.
    init = project / "src" / "ledger_api" / "__init__.py"
    init.write_text(init.read_text() + LOCAL_EDIT)
    _git(project, "commit", "--quiet", "-am", "local edit")

    # The platform releases a new template version: a new question used in the README.
    new = f"{release.rsplit('.', 1)[0]}.{int(release.rsplit('.', 1)[1]) + 1}"
    copier_yml = template_repo / "copier.yml"
    copier_yml.write_text(
        copier_yml.read_text().replace("\nimage_registry:\n", NEW_QUESTION + "\nimage_registry:\n")
    )
    readme = template_repo / "template" / "README.md"
    readme.write_text(readme.read_text() + "\nOn-call channel: {{ on_call_channel }}\n")
    _git(template_repo, "commit", "--quiet", "-am", f"template {new}: on-call channel")
    _git(template_repo, "tag", "-a", new, "-m", f"template {new}")

    _run(project, sys.executable, "-m", "copier", "update", "--trust", "--defaults",
         "--data", "on_call_channel=#ledger-pager", env=env)  # fmt: skip
    lap("copier update (new release, new answer, lock remade)")
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert recorded["_commit"] == new
    assert recorded["on_call_channel"] == "#ledger-pager"
    assert "On-call channel: #ledger-pager" in (project / "README.md").read_text()
    assert init.read_text().endswith(LOCAL_EDIT), "the team's edit was lost"
    assert "<<<<<<<" not in (project / "README.md").read_text()
    # nox under CI=true installs with `uv sync --locked`: the remade lock must match.
    out = _run(project, "nox", "-s", "tests", "--", "tests/unit", "-p", "no:cacheprovider", env=env)
    assert "Session tests was successful" in out, out[-2000:]
    lap("tests green after the update")

    report = ROOT / "reports" / "standalone"
    report.mkdir(parents=True, exist_ok=True)
    (report / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    print("standalone timings (s):", json.dumps(timings))
    shutil.rmtree(project / ".nox", ignore_errors=True)
