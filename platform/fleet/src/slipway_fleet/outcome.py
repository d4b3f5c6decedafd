"""What happened to one member: the record every report and the JSON are made of."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Result(StrEnum):
    """The five summary buckets (plus the dry-run forms)."""

    UPDATED = "updated"
    UP_TO_DATE = "up-to-date"
    CONFLICTED = "conflicted"
    SKIPPED = "skipped"
    FAILED = "failed"
    WOULD_UPDATE = "would-update"
    WOULD_CONFLICT = "would-conflict"


class Category(StrEnum):
    """Why a member failed or was skipped (stable names for scripts)."""

    UNREACHABLE = "unreachable"  # repository cannot be read (path, network, auth)
    NOT_A_MEMBER = "not-a-member"  # no .copier-answers.yml where expected
    DIRTY = "dirty"  # uncommitted changes in the member's working tree
    DOWNGRADE = "downgrade"  # the target is older than the member (no --allow-downgrade)
    UNKNOWN_VERSION = "unknown-version"  # `_commit` is not in the template's history
    MISSING_ANSWER = "missing-answer"  # new required question without a value
    REPLAY = "replay"  # the member's old template version does not render
    MIGRATION = "migration"  # a `_migrations` command failed
    UPDATE = "update"  # copier update failed otherwise (tasks, render)
    CHECKS = "checks"  # the member's fast checks failed on the updated tree
    PUSH = "push"  # the update branch could not be written back
    PUBLISH = "publish"  # pushing to the remote or opening the PR failed
    TEMPLATE = "template"  # the template itself cannot be used
    INTERNAL = "internal"  # a bug in slipway-fleet; the message says where


@dataclass
class Outcome:
    """One member's result. `files_*` lists are paths relative to the subproject."""

    member: str
    result: Result
    category: Category | None = None
    reason: str = ""
    from_version: str = ""
    to_version: str = ""
    branch: str = ""
    commit: str = ""
    files_added: list[str] = field(default_factory=list)
    files_changed: list[str] = field(default_factory=list)
    files_deleted: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    kept_deleted: list[str] = field(default_factory=list)  # member-deleted, template-changed
    kept_edited: list[str] = field(default_factory=list)  # template-deleted, member-edited
    migrations: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    patch: str = ""
    pull_request: str = ""
    log: str = ""
    from_previous_run: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # per step: clone, render, merge...

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["result"] = str(self.result)
        data["category"] = str(self.category) if self.category else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        data = dict(data)
        data["result"] = Result(data["result"])
        data["category"] = Category(data["category"]) if data.get("category") else None
        return cls(**data)


def failed(member: str, category: Category, reason: str, **extra: Any) -> Outcome:
    return Outcome(member=member, result=Result.FAILED, category=category, reason=reason, **extra)
