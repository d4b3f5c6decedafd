"""The fleet: which repositories (and subprojects inside them) are members.

A fleet comes from a fleet file (YAML, or plain text with one location per line) or
from discovering `.copier-answers.yml` files under a directory. Several subprojects
of one repository (like `services/*` in a monorepo) are separate members.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from slipway_fleet.gitcmd import GitError, git, is_local, local_path

ANSWERS_FILE = ".copier-answers.yml"
# Folders never searched for members: tool caches and vendored trees.
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", ".nox", ".tox", "__pycache__"}


class FleetFileError(ValueError):
    """The fleet file is malformed; the message names the entry and the rule."""


@dataclass(frozen=True)
class Member:
    """One member: a repository location plus the subproject folder inside it."""

    name: str
    location: str  # local path or git URL of the member's repository ("home")
    subdir: str = ""  # subproject folder inside the repository, "" for the root
    data: dict[str, Any] = field(default_factory=dict)  # answers for new questions
    checks: tuple[str, ...] = ()  # fast check commands, run in the subproject folder
    project: str = ""  # owner/name (GitHub) or numeric id/path (GitLab) for PRs

    @property
    def is_local(self) -> bool:
        return is_local(self.location)

    @property
    def path(self) -> Path:
        """Local repository path (only meaningful when `is_local`)."""
        return local_path(self.location)

    @property
    def branch_scope(self) -> str:
        """Branch-name part that keeps two subprojects of one repository apart."""
        return re.sub(r"[^A-Za-z0-9._-]+", "-", self.subdir.strip("/")) if self.subdir else ""


@dataclass(frozen=True)
class Fleet:
    """Members plus fleet-wide defaults from the fleet file."""

    members: tuple[Member, ...]
    checks: tuple[str, ...] = ()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "member"


def _name_for(location: str, subdir: str) -> str:
    base = location.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1]
    return _slug(f"{base}/{subdir}" if subdir else base)


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise FleetFileError(f"{where}: `checks` must be a command string or a list of them")


def _load_data(entry: dict[str, Any], where: str, base: Path) -> dict[str, Any]:
    data = entry.get("data") or {}
    if not isinstance(data, dict):
        raise FleetFileError(f"{where}: `data` must be a mapping of question -> answer")
    if data_file := entry.get("data_file"):
        path = (base / str(data_file)).resolve()
        try:
            loaded = yaml.safe_load(path.read_text()) or {}
        except OSError as exc:
            raise FleetFileError(f"{where}: cannot read data_file {path}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise FleetFileError(f"{where}: data_file {path} must hold a YAML mapping")
        data = {**loaded, **data}
    return dict(data)


def _resolve_location(location: str, base: Path) -> str:
    if is_local(location) and not location.startswith("file://"):
        return str((base / location).resolve())
    return location


def load_fleet_file(path: Path) -> Fleet:
    """Read a fleet file: YAML `members:` list, or one location[#subdir] per line."""
    base = path.parent
    try:
        text = path.read_text()
    except OSError as exc:
        raise FleetFileError(f"fleet file {path}: {exc}") from exc
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        doc = None
    if isinstance(doc, dict):
        return _fleet_from_yaml(doc, base, path)
    members = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        location, _, subdir = line.partition("#")
        loc = _resolve_location(location, base)
        members.append(Member(name=_name_for(loc, subdir), location=loc, subdir=subdir))
        del lineno
    return Fleet(members=_unique(members, path))


def _fleet_from_yaml(doc: dict[str, Any], base: Path, path: Path) -> Fleet:
    entries = doc.get("members")
    if not isinstance(entries, list) or not entries:
        raise FleetFileError(f"fleet file {path}: `members` must be a non-empty list")
    members = []
    for i, raw in enumerate(entries):
        where = f"fleet file {path}: members[{i}]"
        entry = {"repo": raw} if isinstance(raw, str) else raw
        if not isinstance(entry, dict) or not isinstance(entry.get("repo"), str):
            raise FleetFileError(f"{where}: each member needs `repo` (a path or git URL)")
        unknown = set(entry) - {"name", "repo", "subdir", "data", "data_file", "checks", "project"}
        if unknown:
            raise FleetFileError(f"{where}: unknown keys {sorted(unknown)}")
        loc = _resolve_location(entry["repo"], base)
        subdir = str(entry.get("subdir") or "").strip("/")
        members.append(
            Member(
                name=_slug(str(entry.get("name") or _name_for(loc, subdir))),
                location=loc,
                subdir=subdir,
                data=_load_data(entry, where, base),
                checks=_str_list(entry.get("checks"), where),
                project=str(entry.get("project") or ""),
            )
        )
    return Fleet(members=_unique(members, path), checks=_str_list(doc.get("checks"), str(path)))


def _unique(members: list[Member], source: Path | str) -> tuple[Member, ...]:
    seen: dict[str, Member] = {}
    for member in members:
        if member.name in seen:
            raise FleetFileError(
                f"{source}: two members are named {member.name!r}; give one a `name`"
            )
        seen[member.name] = member
    return tuple(members)


def discover(root: Path) -> Fleet:
    """Every `.copier-answers.yml` under `root` is a member (its repo + subfolder)."""
    members = []
    for answers in sorted(_walk_answers(root.resolve())):
        folder = answers.parent
        try:
            top = Path(git("rev-parse", "--show-toplevel", cwd=folder).strip())
        except GitError:
            continue  # not inside a git repository: nothing to branch or commit
        subdir = folder.relative_to(top).as_posix()
        subdir = "" if subdir == "." else subdir
        members.append(Member(name=_name_for(str(top), subdir), location=str(top), subdir=subdir))
    return Fleet(members=_unique(members, root))


def _walk_answers(root: Path) -> list[Path]:
    found = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir() and not entry.is_symlink() and entry.name not in _SKIP_DIRS:
                stack.append(entry)
            elif entry.name == ANSWERS_FILE:
                found.append(entry)
    return found
