"""Template releases are PEP 440 git tags (`v1.2.0` or `1.2.0`)."""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

__all__ = ["Release", "Version", "find_release", "parse_version", "releases_from_tags"]


@dataclass(frozen=True, order=True)
class Release:
    """One release: its parsed version (sort key) and the tag that carries it."""

    version: Version
    tag: str


def parse_version(text: str | None) -> Version | None:
    """PEP 440 version of a tag or copier `_commit` (`v1.2.0-3-gabc` -> 1.2.0.post3), else None."""
    if not text:
        return None
    candidate = text.strip()
    # copier records `git describe` output for commits past a tag: v1.2.0-3-gdeadbee.
    parts = candidate.rsplit("-", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].startswith("g"):
        candidate = f"{parts[0]}.post{parts[1]}"
    try:
        return Version(candidate)
    except InvalidVersion:
        return None


def releases_from_tags(tags: list[str], *, prereleases: bool = False) -> list[Release]:
    """Tags that parse as PEP 440 versions, oldest first (pre-releases only if asked)."""
    found: dict[Version, Release] = {}
    for tag in tags:
        version = parse_version(tag)
        if version is None or (version.is_prerelease and not prereleases):
            continue
        found.setdefault(version, Release(version, tag))
    return sorted(found.values())


def find_release(releases: list[Release], wanted: str) -> Release:
    """The release matching `wanted` (a version, a tag, or `latest`); ValueError otherwise."""
    if not releases:
        raise ValueError("the template has no PEP 440 release tags (e.g. v1.0.0)")
    if wanted == "latest":
        return releases[-1]
    version = parse_version(wanted)
    for release in releases:
        if release.tag == wanted or (version is not None and release.version == version):
            return release
    known = ", ".join(r.tag for r in releases)
    raise ValueError(f"--to {wanted!r}: no such template release (known: {known})")


def releases_between(releases: list[Release], current: Version, target: Version) -> list[Release]:
    """Releases newer than `current` up to and including `target` (how far behind)."""
    return [r for r in releases if current < r.version <= target]
