"""Input checks that run before any member is touched: the target and downgrades.

`--to` must be `latest` or a PEP 440 version that is a release of the members'
template; a member already newer than the target is a downgrade, refused unless
`--allow-downgrade`. Local members are read without writing anything (`git show`
of the committed answers file); URL members are checked again in their worker.
A failure here is a usage error (exit 2), not a per-member failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from slipway_fleet import member_repo
from slipway_fleet.fleet import ANSWERS_FILE, Fleet, Member
from slipway_fleet.gitcmd import GitError, git
from slipway_fleet.template_source import TemplateError, TemplateSource, fetch_template
from slipway_fleet.versions import Release, find_release, parse_version


class UsageError(ValueError):
    """Bad input for the whole run; the message names the option and the fix."""


def check_target_syntax(target: str) -> None:
    if target != "latest" and parse_version(target) is None:
        raise UsageError(
            f"--to {target!r} is not a PEP 440 version (e.g. 2.0.0 or v2.0.0) nor `latest`"
        )


@dataclass(frozen=True)
class LocalAnswers:
    member: Member
    answers: dict[str, Any]


def committed_answers(member: Member) -> dict[str, Any] | None:
    """The answers file at the local member's HEAD, or None (its worker reports why)."""
    if not member.is_local or not member.path.is_dir():
        return None
    rel = f"{member.subdir}/{ANSWERS_FILE}" if member.subdir else ANSWERS_FILE
    try:
        text = git("--no-optional-locks", "show", f"HEAD:{rel}", cwd=member.path)
        answers = yaml.safe_load(text)
    except (GitError, yaml.YAMLError):
        return None
    return answers if isinstance(answers, dict) and "_src_path" in answers else None


def downgrade_problem(member: str, current: Any, target: Release) -> str:
    return (
        f"member {member} is at {current}, newer than --to {target.version}: "
        "a downgrade; pass --allow-downgrade to go back"
    )


def check_run(
    fleet: Fleet, target: str, cache_root: Path, run_id: str, *, allow_downgrade: bool
) -> None:
    """Raise UsageError when the target is not a release or would downgrade a member."""
    check_target_syntax(target)
    templates: dict[str, TemplateSource | None] = {}
    downgrades = []
    for member in fleet.members:
        answers = committed_answers(member)
        if answers is None:
            continue
        sub = member.path / member.subdir if member.subdir else member.path
        location = member_repo.template_location(member, answers, sub)
        if location not in templates:
            try:
                templates[location] = fetch_template(location, cache_root, run_id)
            except TemplateError:
                templates[location] = None  # the member's worker reports it
        template = templates[location]
        if template is None or not template.releases:
            continue
        try:
            release = find_release(list(template.releases), target)
        except ValueError as exc:
            raise UsageError(f"{exc} in template {template.url}") from exc
        current = parse_version(str(answers.get("_commit") or ""))
        if current is not None and current > release.version and not allow_downgrade:
            downgrades.append(downgrade_problem(member.name, current, release))
    if downgrades:
        raise UsageError("; ".join(downgrades))
