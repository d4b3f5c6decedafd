"""`status`: where each member stands against its template (read-only)."""

from __future__ import annotations

import shutil
import tempfile
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from slipway_fleet import member_repo, renders
from slipway_fleet.fleet import Member
from slipway_fleet.member_clone import MemberClone
from slipway_fleet.member_repo import MemberError
from slipway_fleet.template_source import TemplateError, fetch_template
from slipway_fleet.versions import parse_version, releases_between


@dataclass(frozen=True)
class StatusJob:
    member: Member
    work_root: Path
    cache_root: Path
    run_id: str = ""


@dataclass
class MemberStatus:
    """One member's standing; `problem` is set (with `category`) when it cannot be read."""

    member: str
    location: str
    subdir: str = ""
    source: str = ""
    version: str = ""
    commit: str = ""
    latest: str = ""
    behind: int | None = None
    drift_modified: list[str] = field(default_factory=list)
    drift_deleted: list[str] = field(default_factory=list)
    dirty: bool = False
    update_branches: list[str] = field(default_factory=list)
    category: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def member_status(job: StatusJob) -> MemberStatus:
    """Worker entry point: never raises."""
    member = job.member
    out = MemberStatus(member=member.name, location=member.location, subdir=member.subdir)
    job.work_root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"status-{member.name}-", dir=job.work_root))
    try:
        _fill(job, out, scratch)
    except MemberError as exc:
        out.category, out.problem = exc.category, str(exc)
    except Exception as exc:  # report, never crash the fleet view
        out.category, out.problem = "internal", f"{type(exc).__name__}: {exc}"
        out.problem += "\n" + traceback.format_exc(limit=3)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return out


def _fill(job: StatusJob, out: MemberStatus, scratch: Path) -> None:
    member = job.member
    member_repo.check_reachable(member)
    if member.is_local and not member_repo.is_bare(member.path):
        root = member.path
        out.dirty = bool(member_repo.dirty_files(member))
    else:
        root = MemberClone.create(member, scratch / "repo").repo
    sub = root / member.subdir if member.subdir else root
    answers = member_repo.read_answers(sub)
    out.source = member_repo.template_location(member, answers, sub)
    out.commit = str(answers.get("_commit") or "")
    out.update_branches = member_repo.update_branches(member)
    try:
        template = fetch_template(out.source, job.cache_root, job.run_id)
    except TemplateError as exc:
        raise MemberError("template", str(exc)) from exc
    out.latest = str(template.latest.version) if template.latest else ""
    version = parse_version(out.commit)
    if version is None or template.resolve(out.commit) is None:
        raise MemberError(
            "unknown-version", f"`_commit: {out.commit}` is not a release of {out.source}"
        )
    out.version = str(version)
    if template.latest:
        out.behind = len(
            releases_between(list(template.releases), version, template.latest.version)
        )
    try:
        rendered = renders.files_of(renders.render(template, out.commit, answers, job.cache_root))
    except renders.RenderError as exc:
        raise MemberError("replay", str(exc)) from exc
    current = renders.read_files(sub, set(rendered))
    out.drift_modified = sorted(p for p in rendered if p in current and current[p] != rendered[p])
    out.drift_deleted = sorted(p for p in rendered if p not in current)
