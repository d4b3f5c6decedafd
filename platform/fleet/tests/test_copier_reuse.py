"""copier_reuse: what one worker process renders once and reuses across members.

Runs `apply_release.copier_update` in this process (as a worker does) on real
members of the test template: the second member with the same answers must get
copier's two pristine renders from the run's cache, the template checked out once
per ref, and end with the very files the first member got; another run id must
not be served from the first run's cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from packaging.version import Version
from slipway_fleet import apply_release, copier_reuse, renders
from slipway_fleet.gitcmd import git
from slipway_fleet.testing import MemberFactory
from slipway_fleet.versions import Release

TARGET = Release(Version("2.0.0"), "v2.0.0")


@pytest.fixture
def reuse(tmp_path: Path) -> Iterator[Path]:
    copier_reuse.install()
    cache = tmp_path / "cache"
    copier_reuse.configure(cache, "run-1")
    yield cache
    copier_reuse.configure(cache, "")  # other tests in this process: no run context


def _update(member: Path, template: Path) -> copier_reuse.MemberRenders:
    config = yaml.safe_load(git("show", "v2.0.0:copier.yml", cwd=template))
    return apply_release.copier_update(member, "v1.1.0", TARGET, {}, config)


def test_same_answers_reuse_the_pristine_renders_and_get_the_same_files(
    tmp_path: Path, factory: MemberFactory, template_repo: Path, reuse: Path
) -> None:
    first = factory.member(tmp_path / "first", "v1.1.0", owner="team-reuse")
    second = factory.member(tmp_path / "second", "v1.1.0", owner="team-reuse")
    other = factory.member(tmp_path / "other", "v1.1.0", owner="team-other")

    made = _update(first, template_repo)
    reused = _update(second, template_repo)
    different = _update(other, template_repo)

    assert (made.reused, reused.reused) == (0, 2)
    assert (reused.old, reused.new) == (made.old, made.new)
    assert made.old is not None
    assert made.new is not None
    assert made.old != made.new
    assert renders.files_of(first) == renders.files_of(second)
    assert different.reused == 0  # other answers: its own pristine renders
    assert len(list((reuse / "checkouts").glob("*.done"))) == 2  # v1.1.0 and v2.0.0, once

    copier_reuse.configure(reuse, "run-2")  # a new run never trusts the old one's tags
    again = factory.member(tmp_path / "again", "v1.1.0", owner="team-reuse")
    assert _update(again, template_repo).reused == 0
