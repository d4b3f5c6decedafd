"""`nox -s template-release -- X.Y.Z` (scripts/template_release.py) on a clone of this repo.

CI's clone carries no tags, so each test makes its own clone and removes the
tags in it: the release checks then see HEAD exactly as a maintainer would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from template_rendering import ROOT

RELEASE = ROOT / "scripts" / "template_release.py"
sys.path.insert(0, str(RELEASE.parent))
from template_release import changelog_entries  # noqa: E402

pytestmark = pytest.mark.timeout(600)


def _git(repo: Path, *args: str) -> str:
    ident = ["-c", "user.name=Release Test", "-c", "user.email=release@test.invalid"]
    return subprocess.run(
        ["git", *ident, *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def _release(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RELEASE), *args, "--repo", str(repo)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("release") / "slipway"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(repo)], check=True)
    for tag in _git(repo, "tag", "--list").split():
        _git(repo, "tag", "-d", tag)
    return repo


def newest_entry() -> str:
    return next(iter(changelog_entries((ROOT / "CHANGELOG.md").read_text())))


def test_changelog_entries_with_breaking_changes_say_how_to_upgrade() -> None:
    entries = changelog_entries((ROOT / "CHANGELOG.md").read_text())
    assert entries, "CHANGELOG.md has no `## X.Y.Z` entry"
    for version, body in entries.items():
        if "### Breaking" in body:
            assert "### Upgrading" in body, f"{version}: breaking changes without upgrading steps"


def test_refuses_bad_versions_and_a_missing_changelog_entry(clone: Path) -> None:
    assert "not a PEP 440 version" in _release(clone, "latest").stderr
    missing = _release(clone, "99.0.0")
    assert missing.returncode == 1
    assert "no `## 99.0.0` entry" in missing.stderr
    assert not _git(clone, "tag", "--list").split(), "a refused release left a tag"


def test_tags_the_newest_changelog_version_once(clone: Path) -> None:
    version = newest_entry()
    done = _release(clone, version)
    assert done.returncode == 0, done.stderr
    assert "example(s) without drift" in done.stdout
    assert _git(clone, "tag", "--list").split() == [version]
    assert _git(clone, "cat-file", "-t", version).strip() == "tag", "not an annotated tag"
    assert _git(clone, "rev-parse", f"{version}^{{commit}}") == _git(clone, "rev-parse", "HEAD")

    again = _release(clone, version)
    assert again.returncode == 1
    assert f"not newer than the latest release {version}" in again.stderr


def test_drifted_example_is_refused(clone: Path, tmp_path: Path) -> None:
    drifted = tmp_path / "drifted"
    subprocess.run(["git", "clone", "--quiet", str(clone), str(drifted)], check=True)
    for tag in _git(drifted, "tag", "--list").split():
        _git(drifted, "tag", "-d", tag)
    readme = drifted / "services" / "orders-api" / "README.md"
    readme.write_text(readme.read_text() + "\nedited by hand\n")
    _git(drifted, "commit", "--quiet", "-am", "hand edit in an example")
    done = _release(drifted, newest_entry())
    assert done.returncode == 1
    assert "services/orders-api drifted" in done.stderr
    assert "README.md" in done.stderr
