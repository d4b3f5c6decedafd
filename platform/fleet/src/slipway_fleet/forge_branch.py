"""What a human did on the forge since the last run: the member's remote update branch.

A local member is published to its remote (`--remote`, default origin): that is
where people resolve conflicts, push extra commits and merge. Before updating,
the scratch clone fetches from it the update branch and the default branch, so a
rerun builds on the human's work instead of pushing the bot's older commit over
it (non-fast-forward) or re-creating a branch deleted after the merge. A URL
member's clone already comes from the forge, so nothing extra is fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from slipway_fleet.fleet import ANSWERS_FILE, Member
from slipway_fleet.gitcmd import GitError, git
from slipway_fleet.versions import Version, parse_version

FORGE = "forge"  # remote name of the member's forge inside the scratch clone


@dataclass(frozen=True)
class ForgeView:
    """Refs fetched from the forge: `branch_ref` if the update branch exists there."""

    branch_ref: str
    default_ref: str


def fetch(member: Member, repo: Path, remote: str, branch: str) -> ForgeView | None:
    """Fetch the forge's update branch and default branch into `repo` (None: no forge)."""
    if not member.is_local:
        return None
    url = git("remote", "get-url", remote, cwd=member.path, check=False).strip()
    if not url:
        return None
    git("remote", "add", FORGE, url, cwd=repo)
    # the member's own default branch, for a forge whose HEAD names no existing branch
    home = git(
        "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD", cwd=repo, check=False
    )
    home_default = home.strip().removeprefix("origin/")
    try:
        heads = git(
            "ls-remote",
            "--symref",
            FORGE,
            "HEAD",
            f"refs/heads/{branch}",
            f"refs/heads/{home_default}",
            cwd=repo,
        )
    except GitError:
        return None  # unreachable forge: the publish step reports it
    default = next(
        (line.split()[1] for line in heads.splitlines() if line.startswith("ref:")), ""
    ).removeprefix("refs/heads/")
    if not default and f"\trefs/heads/{home_default}" in heads:
        default = home_default
    specs = [f"+refs/heads/{name}:refs/remotes/{FORGE}/{name}" for name in (default, branch)]
    has_branch = f"\trefs/heads/{branch}" in heads
    wanted = [s for s, ok in zip(specs, (bool(default), has_branch), strict=True) if ok]
    if wanted:
        git("fetch", "--quiet", FORGE, *wanted, cwd=repo, timeout=600)
    return ForgeView(
        branch_ref=f"{FORGE}/{branch}" if has_branch else "",
        default_ref=f"{FORGE}/{default}" if default else "",
    )


def default_branch_version(repo: Path, view: ForgeView, subdir: str) -> Version | None:
    """The template version the forge's default branch is on (after a merge), if any."""
    if not view.default_ref:
        return None
    rel = f"{subdir}/{ANSWERS_FILE}" if subdir else ANSWERS_FILE
    try:
        answers = yaml.safe_load(git("show", f"{view.default_ref}:{rel}", cwd=repo))
    except (GitError, yaml.YAMLError):
        return None
    return parse_version(str(answers.get("_commit") or "")) if isinstance(answers, dict) else None
