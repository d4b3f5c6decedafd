"""`copier update` from the previous template release to HEAD keeps local work.

No release tag exists yet, so the test builds the previous release itself: a
git repository of the template with two commits, tagged `0.1.0` (the template
as it was before the `rollout` answer was renamed, with the environments and
buckets written out in copier.yml instead of read through the Jinja extension,
plus a different locustfile line) and `0.2.0` (the template now). A service
generated from 0.1.0 gets local edits, then a plain `copier update` (answers
file in its default place) moves it to 0.2.0: the edits survive, the conflicting
edit is reported inline, the 0.2.0 migration carries the renamed answer over,
and nothing is silently lost.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from slipway_contract.environments import ENVIRONMENTS
from slipway_contract.metrics import DURATION_BUCKETS
from template_rendering import ANSWERS_FILE, render, template_snapshot

NEW_WAIT = "wait_time = between(0.05, 0.2)"
OLD_WAIT = "wait_time = between(0.1, 0.5)"
LOCAL_WAIT = "wait_time = between(1, 2)  # our traffic is slow"


def _git(cwd: Path, *args: str) -> str:
    env_args = ["-c", "user.name=Template Test", "-c", "user.email=template@test.invalid"]
    return subprocess.run(
        ["git", *env_args, *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def _without_extension(copier_yml: Path) -> None:
    """copier.yml as releases before the Jinja extension were: the facts written out."""
    text, dropped = re.subn(r"^_jinja_extensions:\n(?:  - .*\n)+", "", copier_yml.read_text(),
                            flags=re.MULTILINE)  # fmt: skip
    assert dropped == 1, "copier.yml has no _jinja_extensions block to drop"
    # Jinja list literals, single-quoted: they sit inside double-quoted YAML strings too.
    text = text.replace("contract.environments", repr(list(ENVIRONMENTS)))
    text = text.replace("contract.duration_buckets", repr(list(DURATION_BUCKETS)))
    assert "contract." not in text
    copier_yml.write_text(text)


def _as_previous_release(src: Path) -> None:
    """Turn the template now into the 0.1.0 release: old answer name, no Jinja extension,
    old locust pacing."""
    for path in [src / "copier.yml", *(p for p in (src / "template").rglob("*") if p.is_file())]:
        text = path.read_text()
        if "rollout_strategy" in text:
            path.write_text(text.replace("rollout_strategy", "rollout"))
    _without_extension(src / "copier.yml")
    locustfile = src / "template" / "locustfile.py"
    assert NEW_WAIT in locustfile.read_text()
    locustfile.write_text(locustfile.read_text().replace(NEW_WAIT, OLD_WAIT))


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template repository with tags 0.1.0 (previous release) and 0.2.0 (HEAD)."""
    repo = tmp_path_factory.mktemp("template-repo")
    template_snapshot(repo)
    _as_previous_release(repo)
    _git(repo, "init", "--quiet", "--initial-branch=main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "--quiet", "-m", "release 0.1.0")
    _git(repo, "tag", "0.1.0")
    for path in (repo / "template").rglob("*"):  # files deleted since 0.1.0 go away
        if path.is_file():
            path.unlink()
    template_snapshot(repo)  # HEAD's files
    _git(repo, "add", "-A")
    _git(repo, "commit", "--quiet", "-m", "release 0.2.0")
    _git(repo, "tag", "0.2.0")
    return repo


def test_update_from_previous_release_keeps_local_edits(releases: Path, tmp_path: Path) -> None:
    project = render(
        releases,
        tmp_path / "orders-api",
        {"service_name": "orders-api", "rollout": "blueGreen"},
        vcs_ref="0.1.0",
    )
    answers = yaml.safe_load((project / ANSWERS_FILE).read_text())
    assert answers["_commit"] == "0.1.0"
    assert answers["rollout"] == "blueGreen"
    assert not (project / "copier.yml").exists()
    assert not (project / ".git").exists()

    # The team's repository, with local edits committed on top of the generated code.
    _git(project, "init", "--quiet", "--initial-branch=main")
    _git(project, "add", "-A")
    _git(project, "commit", "--quiet", "-m", "generated from template 0.1.0")
    routes = project / "src" / "orders_api" / "routes.py"
    routes.write_text(routes.read_text() + "\n\n# local: our own endpoint lives below\n")
    extra = project / "src" / "orders_api" / "pricing.py"
    extra.write_text('"""Local module the template knows nothing about."""\n')
    locustfile = project / "locustfile.py"
    locustfile.write_text(locustfile.read_text().replace(OLD_WAIT, LOCAL_WAIT))
    _git(project, "add", "-A")
    _git(project, "commit", "--quiet", "-m", "local edits")

    # A plain update: answers file in its default place, newest release tag.
    done = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--trust", "--defaults"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    answers = yaml.safe_load((project / ANSWERS_FILE).read_text())
    assert answers["_commit"] == "0.2.0"
    # The 0.2.0 migration renamed the answer: the team's blueGreen choice survived.
    assert answers.get("rollout_strategy") == "blueGreen", answers
    assert "rollout" not in answers
    assert "strategy: blueGreen" in (project / "deploy" / "helm" / "values.yaml").read_text()
    # Local edits survive; files the template does not know stay.
    assert "# local: our own endpoint lives below" in routes.read_text()
    assert extra.is_file()
    # The conflicting edit is reported inline, with both sides: nothing silently lost.
    text = locustfile.read_text()
    assert "<<<<<<<" in text, text
    assert LOCAL_WAIT in text
    assert NEW_WAIT in text
    status = _git(project, "status", "--porcelain")
    assert "locustfile.py" in status
    # The template's own files never reach the project.
    assert not (project / "copier.yml").exists()
    assert not (project / "template").exists()
    assert not (project / "scripts").exists()
