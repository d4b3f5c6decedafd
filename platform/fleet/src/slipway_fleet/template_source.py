"""The template a member was generated from: cloned once, releases read from its tags."""

from __future__ import annotations

import copy
import fcntl
import functools
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from slipway_fleet.gitcmd import GitError, git, is_local, local_path
from slipway_fleet.versions import Release, releases_from_tags

_CONFIG_NAMES = ("copier.yml", "copier.yaml")


class TemplateError(RuntimeError):
    """The template cannot be fetched or read."""


@contextmanager
def file_lock(path: Path):  # type: ignore[no-untyped-def]
    """Exclusive advisory lock shared by worker processes (released on exit)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> Any:
    """copier.yml parsed once per content per process (a worker asks once per member)."""
    return yaml.safe_load(text) or {}


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class TemplateSource:
    """A local clone of one template (`url` as recorded in members' `_src_path`)."""

    url: str
    clone: Path
    releases: tuple[Release, ...]

    @property
    def latest(self) -> Release | None:
        return self.releases[-1] if self.releases else None

    def resolve(self, ref: str) -> str | None:
        """Commit sha of a tag/commit in the template, or None if unknown."""
        try:
            return git(
                "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", cwd=self.clone
            ).strip()
        except GitError:
            return None

    def config(self, ref: str) -> dict[str, Any]:
        """The copier.yml of the template at `ref` (empty dict if it has none)."""
        for name in _CONFIG_NAMES:
            try:
                text = git("show", f"{ref}:{name}", cwd=self.clone)
            except GitError:
                continue
            doc = _parsed(text)
            if not isinstance(doc, dict):
                raise TemplateError(f"{name} at {ref} is not a YAML mapping")
            return copy.deepcopy(doc)  # callers may change their copy
        return {}


def fetch_template(url: str, cache_root: Path, run_id: str = "") -> TemplateSource:
    """Clone (or refresh) the template once per run into `cache_root`; read its tags."""
    clone = cache_root / "templates" / _key(url)
    marker = clone / ".git" / "slipway-fleet-run"
    with file_lock(cache_root / "locks" / f"template-{_key(url)}"):
        source = str(local_path(url)) if is_local(url) else url
        try:
            if (clone / ".git").is_dir():
                if not run_id or not marker.is_file() or marker.read_text() != run_id:
                    git(
                        "fetch",
                        "--quiet",
                        "--tags",
                        "--force",
                        "--prune",
                        "origin",
                        cwd=clone,
                        timeout=600,
                    )
            else:
                clone.parent.mkdir(parents=True, exist_ok=True)
                git("clone", "--quiet", "--no-checkout", source, str(clone), timeout=600)
        except GitError as exc:
            raise TemplateError(f"cannot fetch template {url}: {exc.stderr}") from exc
        marker.write_text(run_id)
        tags = git("tag", "--list", cwd=clone).split()
    return TemplateSource(url=url, clone=clone, releases=tuple(releases_from_tags(tags)))
