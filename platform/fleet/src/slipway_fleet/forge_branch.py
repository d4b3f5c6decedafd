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

import yaml

from slipway_fleet.fleet import ANSWERS_FILE
from slipway_fleet.gitcmd import GitError, git
from slipway_fleet.member_clone import MemberClone
from slipway_fleet.versions import Version, parse_version

FORGE = "forge"  # remote name of the member's forge inside the scratch clone


@dataclass(frozen=True)
class ForgeView:
    """Refs fetched from the forge: `branch_ref` if the update branch exists there."""

    branch_ref: str
    default_ref: str

    @property
    def default_name(self) -> str:
        return self.default_ref.split("/", 1)[1]


def fetch(clone: MemberClone, remote: str, branch: str) -> ForgeView | None:
    """Fetch the forge's update branch and default branch into the clone (None: no forge)."""
    member = clone.member
    if not member.is_local:
        return None
    url = git("remote", "get-url", remote, cwd=member.path, check=False).strip()
    if not url:
        return None
    clone.add_remote(FORGE, url)
    home_default = clone.default_branch()  # for a forge whose HEAD names no branch
    try:
        heads = clone.ls_remote(FORGE, "HEAD", f"refs/heads/{branch}", f"refs/heads/{home_default}")
    except GitError:
        return None  # unreachable forge: the publish step reports it
    default = next(
        (line.split()[1] for line in heads.splitlines() if line.startswith("ref:")), ""
    ).removeprefix("refs/heads/")
    if not default and f"\trefs/heads/{home_default}" in heads:
        default = home_default
    has_branch = f"\trefs/heads/{branch}" in heads
    wanted = [
        f"+refs/heads/{name}:refs/remotes/{FORGE}/{name}"
        for name, ok in ((default, bool(default)), (branch, has_branch))
        if ok
    ]
    if wanted:
        clone.fetch(FORGE, *wanted)
    return ForgeView(
        branch_ref=f"{FORGE}/{branch}" if has_branch else "",
        default_ref=f"{FORGE}/{default}" if default else "",
    )


def default_branch_version(clone: MemberClone, view: ForgeView) -> Version | None:
    """The template version the forge's default branch is on (after a merge), if any."""
    if not view.default_ref:
        return None
    subdir = clone.member.subdir
    rel = f"{subdir}/{ANSWERS_FILE}" if subdir else ANSWERS_FILE
    try:
        answers = yaml.safe_load(clone.show(view.default_ref, rel))
    except (GitError, yaml.YAMLError):
        return None
    return parse_version(str(answers.get("_commit") or "")) if isinstance(answers, dict) else None
