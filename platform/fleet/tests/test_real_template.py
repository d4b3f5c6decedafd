"""The real Slipway template (repo root copier.yml + template/) through a fleet update.

The repository's template is copied into a temporary git repository and tagged as
two releases (the second appends a line to the service README and adds a file), a
service is generated from the first (one member keeps CI time down: the real template
renders slowly), and `slipway-fleet update` must bring it to the second release.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fleet_helpers import run_fleet, show, write_fleet
from slipway_fleet.gitcmd import git
from slipway_fleet.testing import MemberFactory

REPO_ROOT = Path(__file__).resolve().parents[3]
NOTE = "Fleet release note: this line came with template release 99.1.0."


def _tag(repo: Path, tag: str) -> None:
    git("add", "--all", cwd=repo)
    git("commit", "--quiet", "-m", f"release {tag}", cwd=repo)
    git("tag", tag, cwd=repo)


@pytest.fixture
def real_template(tmp_path: Path) -> Path:
    if not (REPO_ROOT / "copier.yml").is_file() or not (REPO_ROOT / "template").is_dir():
        pytest.skip("the Slipway template (copier.yml + template/) is not in this checkout")
    repo = tmp_path / "slipway-template"
    repo.mkdir()
    shutil.copy2(REPO_ROOT / "copier.yml", repo / "copier.yml")
    shutil.copytree(REPO_ROOT / "template", repo / "template")
    if (REPO_ROOT / "scripts" / "migrations").is_dir():  # migrations' Python, outside the payload
        shutil.copytree(REPO_ROOT / "scripts" / "migrations", repo / "scripts" / "migrations")
    git("init", "--quiet", "-b", "main", cwd=repo)
    _tag(repo, "v99.0.0")
    readme = repo / "template" / "README.md"
    readme.write_text(readme.read_text() + f"\n{NOTE}\n")
    (repo / "template" / "FLEET.md").write_text("Updated by slipway-fleet.\n")
    _tag(repo, "v99.1.0")
    return repo


def test_real_template_members_update_to_the_next_release(
    tmp_path: Path, real_template: Path
) -> None:
    factory = MemberFactory(real_template, tmp_path / "renders")
    factory.member(tmp_path / "orders", "v99.0.0", service_name="orders-api")
    fleet = write_fleet(tmp_path / "fleet.yml", [{"repo": "orders"}])

    run = run_fleet("update", "--fleet", fleet, "--to", "99.1.0", "--state-dir", tmp_path / "s")

    assert run.code == 0, run.doc
    for name, service in (("orders", "orders-api"),):
        out = run.member(name)
        assert out["result"] == "updated", out
        assert out["files_added"] == ["FLEET.md"]
        assert sorted(out["files_changed"]) == [".copier-answers.yml", "README.md"]
        repo = tmp_path / name
        readme = show(repo, out["branch"], "README.md")
        assert readme.rstrip().endswith(NOTE)
        assert service in readme
        assert "_commit: v99.1.0" in show(repo, out["branch"], ".copier-answers.yml")
