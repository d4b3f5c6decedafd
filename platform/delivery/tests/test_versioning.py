"""SemVer from git tags: tagged, between tags, untagged, and refused tags."""

from __future__ import annotations

from pathlib import Path

import pytest
from delivery_helpers import commit, git
from slipway_delivery.errors import UsageError
from slipway_delivery.versioning import parse_tag, version_of


def test_tag_on_head_is_the_version(repo: Path) -> None:
    git(repo, "tag", "v1.4.0")
    v = version_of(repo)
    assert str(v.version) == "1.4.0"
    assert v.is_release
    assert v.image_tags == ["1.4.0", git(repo, "rev-parse", "HEAD")]
    assert "latest" not in v.image_tags


def test_between_tags_is_next_patch_dev(repo: Path) -> None:
    git(repo, "tag", "v1.4.0")
    commit(repo, "two")
    commit(repo, "three")
    v = version_of(repo)
    assert str(v.version) == "1.4.1-dev.2"
    assert not v.is_release


def test_after_a_prerelease_tag_the_dev_version_stays_below_the_release(repo: Path) -> None:
    git(repo, "tag", "v2.0.0-rc.1")
    commit(repo, "two")
    assert str(version_of(repo).version) == "2.0.0-dev.1"


def test_no_tag_at_all(repo: Path) -> None:
    commit(repo, "two")
    assert str(version_of(repo).version) == "0.1.0-dev.2"


def test_prerelease_tag_is_not_a_release(repo: Path) -> None:
    git(repo, "tag", "v2.0.0-rc.1")
    v = version_of(repo)
    assert str(v.version) == "2.0.0-rc.1"
    assert not v.is_release


@pytest.mark.parametrize("bad", ["v1.2", "1.2.3.4", "v01.2.3", "v1.2.3_beta", "release-1.0.0x"])
def test_non_semver_tag_refused_with_the_rule(bad: str) -> None:
    with pytest.raises(UsageError, match=r"is not SemVer \(expected vMAJOR\.MINOR\.PATCH"):
        parse_tag(bad)


def test_non_semver_version_tag_on_head_refused(repo: Path) -> None:
    git(repo, "tag", "v1.2")
    with pytest.raises(UsageError, match=r"'v1.2' is not SemVer"):
        version_of(repo)


def test_unrelated_tag_on_head_is_ignored(repo: Path) -> None:
    git(repo, "tag", "deployed-to-dev")
    assert str(version_of(repo).version) == "0.1.0-dev.1"


def test_ci_tag_must_point_at_head(repo: Path) -> None:
    git(repo, "tag", "v1.0.0")
    commit(repo, "two")
    with pytest.raises(UsageError, match=r"points at .* not at HEAD"):
        version_of(repo, tag="v1.0.0")
    git(repo, "tag", "v1.1.0")
    assert str(version_of(repo, tag="refs/tags/v1.1.0").version) == "1.1.0"
