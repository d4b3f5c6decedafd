"""The update commit's message: subject naming the versions, lists, and trailers.

The trailers (`Slipway-Fleet-From/To/Status`) are how a rerun recognises its own
commit; the Conflicts list is read back from a conflicted commit.
"""

from __future__ import annotations

from typing import Any

from slipway_fleet.fleet import Member
from slipway_fleet.outcome import Outcome
from slipway_fleet.versions import Release

STATUS_TRAILER = "Slipway-Fleet-Status"
_CONFLICTS = "Conflicts (resolve, then commit on this branch)"


def message(
    member: Member, answers: dict[str, Any], target: Release, out: Outcome, status: str
) -> str:
    head = f"chore(template): update {member.name} from {out.from_version} to {out.to_version}"
    if status == "conflicted":
        head = f"[needs human] {head} (conflicts)"
    lines = [head, "", f"Template: {answers['_src_path']} {answers['_commit']} -> {target.tag}"]
    for title, items in (
        (_CONFLICTS, out.conflicts),
        ("Kept: deleted by the template but edited here", out.kept_edited),
        ("Kept deleted: changed by the template but deleted here", out.kept_deleted),
        ("Migrations (version order)", out.migrations),
    ):
        if items:
            lines += ["", f"{title}:", *[f"- {i}" for i in items]]
    lines += [
        "",
        f"Slipway-Fleet-From: {out.from_version}",
        f"Slipway-Fleet-To: {out.to_version}",
        f"{STATUS_TRAILER}: {status}",
    ]
    return "\n".join(lines)


def is_own_conflicted(text: str) -> bool:
    """True for our conflicted commit (no human has committed on top of it yet)."""
    return f"{STATUS_TRAILER}: conflicted" in text


def listed_conflicts(text: str) -> list[str]:
    """The `- path` lines under the Conflicts heading of our own commit message."""
    lines = text.split("Conflicts (", 1)[-1].split("\n\n", 1)[0].splitlines()[1:]
    return [line.removeprefix("- ") for line in lines if line.startswith("- ")]
