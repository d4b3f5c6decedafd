"""SemVer of a commit, from git tags, and the image tags derived from it.

The rule (small and documented rather than a tool, because setuptools-scm emits
PEP 440 versions such as `1.4.1.dev3+gabc`, which are not SemVer and not valid
Docker tags):

* a tag on HEAD named `vX.Y.Z` or `X.Y.Z` (SemVer 2.0, pre-release allowed) is
  the version;
* a version-like tag (`v<digit>...` or `<digit>...`) that is not SemVer is
  refused with a message, never silently skipped;
* between tags: the next patch of the newest reachable SemVer tag plus
  `-dev.<commits since that tag>`; with no tag at all `0.1.0-dev.<commit count>`.

Image tags are the version and the full git SHA: never `latest`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import semver
from slipway_contract.runner import CommandError, run

from slipway_delivery.errors import UsageError

_VERSION_LIKE = re.compile(r"^v?\d")


@dataclass(frozen=True)
class ReleaseVersion:
    """The version of one commit and whether it is a tagged release."""

    version: semver.Version
    sha: str
    tag: str | None  # the git tag this version came from, None between tags

    @property
    def is_release(self) -> bool:
        """A tagged version without pre-release: the only kind stage/prod accept."""
        return self.tag is not None and not self.version.prerelease

    @property
    def image_tags(self) -> list[str]:
        """`X.Y.Z[-pre]` and the 40-hex SHA (no build metadata: `+` is not a Docker tag char)."""
        return [str(self.version.replace(build=None)), self.sha]


def parse_tag(tag: str) -> semver.Version:
    """SemVer of a tag such as `v1.4.0`; UsageError naming the tag and the rule otherwise."""
    text = tag.removeprefix("refs/tags/")
    bare = text[1:] if text.startswith("v") else text
    try:
        return semver.Version.parse(bare)
    except ValueError:
        raise UsageError(
            f"tag {text!r} is not SemVer (expected vMAJOR.MINOR.PATCH[-PRERELEASE], "
            "e.g. v1.4.0 or v2.0.0-rc.1; see https://semver.org)"
        ) from None


def _git(repo: Path, *args: str) -> str:
    try:
        return run(["git", *args], cwd=repo).stdout.strip()
    except CommandError as exc:
        raise UsageError(f"git {' '.join(args)} failed in {repo}: {exc.stderr.strip()}") from None


def version_of(repo: Path, tag: str | None = None) -> ReleaseVersion:
    """The SemVer of HEAD in `repo` (see the module docstring for the rule).

    `tag` is the tag CI says it is building (`$GITHUB_REF_NAME`, `$CI_COMMIT_TAG`):
    it must be SemVer and must point at HEAD.
    """
    sha = _git(repo, "rev-parse", "HEAD")
    if tag:
        version = parse_tag(tag)
        tagged = _git(repo, "rev-parse", f"{tag.removeprefix('refs/tags/')}^{{commit}}")
        if tagged != sha:
            raise UsageError(f"tag {tag!r} points at {tagged[:12]}, not at HEAD {sha[:12]}")
        return ReleaseVersion(version, sha, tag.removeprefix("refs/tags/"))

    on_head = [
        t for t in _git(repo, "tag", "--points-at", "HEAD").split() if _VERSION_LIKE.match(t)
    ]
    if on_head:
        parsed = sorted(((parse_tag(t), t) for t in on_head), reverse=True)
        return ReleaseVersion(parsed[0][0], sha, parsed[0][1])

    newest: tuple[semver.Version, str] | None = None
    for t in _git(repo, "tag", "--merged", "HEAD").split():
        if not _VERSION_LIKE.match(t):
            continue
        try:
            v = parse_tag(t)
        except UsageError:
            continue  # an old malformed tag behind HEAD does not block today's build
        if newest is None or v > newest[0]:
            newest = (v, t)
    if newest is None:
        count = int(_git(repo, "rev-list", "--count", "HEAD"))
        return ReleaseVersion(semver.Version(0, 1, 0, prerelease=f"dev.{count}"), sha, None)
    since = int(_git(repo, "rev-list", "--count", f"{newest[1]}..HEAD"))
    base = newest[0].finalize_version()
    nxt = base.bump_patch() if not newest[0].prerelease else base
    return ReleaseVersion(nxt.replace(prerelease=f"dev.{since}"), sha, None)
