"""Read-only access to a member's repository, and its isolated temporary clone.

The member's own working tree, index and current branch are never written: we only
run read-only git commands there (`--no-optional-locks` so even `status` does not
refresh the index) and, at the end, push one branch ref into it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from slipway_fleet.fleet import ANSWERS_FILE, Member
from slipway_fleet.gitcmd import GitError, git, is_local, local_path

BRANCH_PREFIX = "slipway-update"


class MemberError(RuntimeError):
    """The member cannot be used; `category` says why (see outcome.Category)."""

    def __init__(self, category: str, reason: str) -> None:
        self.category = category
        super().__init__(reason)


def check_reachable(member: Member) -> None:
    """Raise MemberError('unreachable') when the member's repository cannot be read."""
    if member.is_local:
        if not member.path.is_dir():
            raise MemberError("unreachable", f"repository path {member.path} does not exist")
        try:
            bare = git("rev-parse", "--is-bare-repository", cwd=member.path).strip() == "true"
            top = "" if bare else git("rev-parse", "--show-toplevel", cwd=member.path).strip()
        except GitError as exc:
            raise MemberError("unreachable", f"{member.path} is not a git repository") from exc
        if top and Path(top).resolve() != member.path.resolve():
            raise MemberError(
                "unreachable", f"{member.path} is inside repository {top}: list {top} with subdir"
            )
        return
    try:
        git("ls-remote", "--heads", member.location, timeout=60)
    except GitError as exc:
        raise MemberError("unreachable", f"cannot reach {member.location}: {exc.stderr}") from exc


def dirty_files(member: Member) -> list[str]:
    """Uncommitted changes in the member's subproject (local members only)."""
    if not member.is_local or is_bare(member.path):
        return []
    out = git(
        "--no-optional-locks",
        "status",
        "--porcelain",
        "--untracked-files=normal",
        "--",
        member.subdir or ".",
        cwd=member.path,
    )
    return [line[3:] for line in out.splitlines() if line.strip()]


def is_bare(path: Path) -> bool:
    return git("rev-parse", "--is-bare-repository", cwd=path, check=False).strip() == "true"


def read_answers(folder: Path) -> dict[str, Any]:
    """The subproject's copier answers; MemberError('not-a-member') if absent/bad."""
    path = folder / ANSWERS_FILE
    try:
        answers = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise MemberError("not-a-member", f"cannot read {ANSWERS_FILE}: {exc}") from exc
    if not isinstance(answers, dict) or "_src_path" not in answers:
        raise MemberError("not-a-member", f"{ANSWERS_FILE} has no `_src_path`: not from copier")
    return answers


def template_location(member: Member, answers: dict[str, Any], checkout: Path) -> str:
    """`_src_path` as copier reads it: a relative path is relative to the subproject.

    Resolved against a local member's own location (not the scratch clone) so all
    runs share one cached template clone; a URL member's against its `checkout`.
    """
    src = str(answers["_src_path"])
    if not is_local(src) or local_path(src).is_absolute():
        return src
    base = member.path / member.subdir if member.is_local else checkout
    return str((base / local_path(src)).resolve())


def branch_name(member: Member, from_version: str, to_version: str) -> str:
    """The update branch, named for the versions (and the subproject, if any)."""
    scope = f"{member.branch_scope}/" if member.branch_scope else ""
    return f"{BRANCH_PREFIX}/{scope}{from_version}-to-{to_version}"


def update_branches(member: Member) -> list[str]:
    """Open update branches of this member in its repository."""
    scope = f"{member.branch_scope}/" if member.branch_scope else ""
    prefix = f"refs/heads/{BRANCH_PREFIX}/{scope}"
    if member.is_local:
        out = git("for-each-ref", "--format=%(refname)", prefix, cwd=member.path)
        refs = out.split()
    else:
        out = git("ls-remote", "--heads", member.location, f"{prefix}*", timeout=60)
        refs = [line.split("\t", 1)[1] for line in out.splitlines() if "\t" in line]
    names = [r.removeprefix("refs/heads/") for r in refs]
    # a root member must not list its subprojects' branches (they nest one level deeper)
    return sorted(n for n in names if "/" not in n.removeprefix(f"{BRANCH_PREFIX}/{scope}"))
