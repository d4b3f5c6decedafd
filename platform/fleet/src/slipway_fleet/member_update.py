"""Update one member to a template release in an isolated clone (runs in a worker).

Steps: reachable? -> dirty? -> clone -> answers -> versions -> merged on the forge? ->
existing update branch? -> missing answers -> reference renders -> apply the release
-> keep what the member owns -> conflicts -> (dry run: patch) -> checks -> commit ->
push home -> publish. Every failure becomes an Outcome with a category; nothing
here stops other members.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slipway_fleet import (
    apply_release,
    commit_message,
    copier_reuse,
    forge_branch,
    member_repo,
    migrations,
    preflight,
    renders,
)
from slipway_fleet.checks import run_checks
from slipway_fleet.conflicts import conflicted_files
from slipway_fleet.fleet import Member
from slipway_fleet.member_clone import MemberClone
from slipway_fleet.member_repo import MemberError
from slipway_fleet.outcome import Category, Outcome, Result, failed
from slipway_fleet.publish import PublishConfig, publish_branch, push_home
from slipway_fleet.template_source import TemplateError, TemplateSource, fetch_template
from slipway_fleet.versions import Release, Version, find_release, parse_version


@dataclass(frozen=True)
class UpdateJob:
    """Everything a worker needs to update one member (picklable)."""

    member: Member
    target: str
    work_root: Path
    cache_root: Path
    log_dir: Path
    dry_run: bool = False
    checks: tuple[str, ...] = ()
    publish: PublishConfig | None = None
    data: dict[str, Any] = field(default_factory=dict)
    run_id: str = ""  # the template is fetched once per run, not once per member
    allow_downgrade: bool = False


@contextlib.contextmanager
def _output_to(log: Path) -> Iterator[None]:
    """Send this process's fd 1/2 (copier, migrations, git) to the member's log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    saved = os.dup(1), os.dup(2)
    with log.open("ab") as handle:
        os.dup2(handle.fileno(), 1)
        os.dup2(handle.fileno(), 2)
        try:
            yield
        finally:
            for fd, copy in ((1, saved[0]), (2, saved[1])):
                os.dup2(copy, fd)
                os.close(copy)


class Phases:
    """Seconds per step of one member (clone, render, merge, checks, commit, publish)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._phase, self._since = "clone", time.perf_counter()

    def enter(self, phase: str) -> None:
        """From now on the time counts for `phase` (until the next `enter`)."""
        now = time.perf_counter()
        self.seconds[self._phase] = self.seconds.get(self._phase, 0.0) + now - self._since
        self._phase, self._since = phase, now

    def move(self, seconds: float, source: str, dest: str) -> None:
        """Re-attribute `seconds` already counted for `source` (renders inside copier)."""
        self.seconds[source] = self.seconds.get(source, 0.0) - seconds
        self.seconds[dest] = self.seconds.get(dest, 0.0) + seconds

    def done(self) -> dict[str, float]:
        self.enter("")
        return {k: round(v, 3) for k, v in self.seconds.items() if k}


def update_member(job: UpdateJob) -> Outcome:
    """Worker entry point: never raises; every problem becomes the member's Outcome."""
    log = job.log_dir / f"{job.member.name}.log"
    job.work_root.mkdir(parents=True, exist_ok=True)
    copier_reuse.configure(job.cache_root, job.run_id)
    scratch = Path(tempfile.mkdtemp(prefix=f"{job.member.name}-", dir=job.work_root))
    phases = Phases()
    try:
        with _output_to(log):
            outcome = _update(job, scratch, phases)
    except MemberError as exc:
        outcome = failed(job.member.name, Category(exc.category), str(exc))
    except Exception as exc:  # a bug must not take the fleet down; say where to look
        with log.open("a") as handle:
            handle.write(traceback.format_exc())
        outcome = failed(job.member.name, Category.INTERNAL, f"{type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    outcome.log = str(log)
    outcome.seconds = phases.done()
    return outcome


def _update(job: UpdateJob, scratch: Path, phases: Phases) -> Outcome:
    member = job.member
    member_repo.check_reachable(member)
    if dirty := member_repo.dirty_files(member):
        shown = ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")
        reason = f"uncommitted changes in the member ({shown}); commit or stash them first"
        return Outcome(member.name, Result.SKIPPED, Category.DIRTY, reason)
    clone = MemberClone.create(member, scratch / "repo")
    answers = member_repo.read_answers(clone.sub)
    template = _template(member_repo.template_location(member, answers, clone.sub), job)
    current = _current_version(answers, template)
    target = _target(template, job.target)
    base = Outcome(
        member.name, Result.UP_TO_DATE, from_version=str(current), to_version=str(target.version)
    )
    if current > target.version and not job.allow_downgrade:
        raise MemberError("downgrade", preflight.downgrade_problem(member.name, current, target))
    if current == target.version:
        base.reason = f"already at {current}"
        return base
    base.branch = member_repo.branch_name(member, str(current), str(target.version))
    forge = forge_branch.fetch(clone, job.publish.remote if job.publish else "origin", base.branch)
    merged = forge_branch.default_branch_version(clone, forge) if forge else None
    if forge and merged and merged >= target.version:  # merged there (branch maybe deleted)
        base.reason = f"the remote's {forge.default_name} is at {merged} already"
        return base
    if existing := _existing_branch(clone, base, target, forge):
        if job.publish and not job.dry_run:
            phases.enter("publish")
            publish_branch(job.publish, clone, existing)  # retried until it succeeds
        return existing
    phases.enter("merge")
    _apply(
        job,
        clone,
        answers=answers,
        template=template,
        current=current,
        target=target,
        base=base,
        phases=phases,
    )
    if job.dry_run:
        base.patch = clone.staged_patch()
        base.result = Result.WOULD_CONFLICT if base.conflicts else Result.WOULD_UPDATE
        return base
    return _commit_and_push(job, clone, answers, target, base, phases=phases)


def _apply(
    job: UpdateJob,
    clone: MemberClone,
    *,
    answers: dict[str, Any],
    template: TemplateSource,
    current: Version,
    target: Release,
    base: Outcome,
    phases: Phases,
) -> None:
    """The release's files in the subproject, staged; fills the outcome's file lists."""
    data = {**job.data, **job.member.data}
    config = template.config(target.tag)
    apply_release.check_answers(config, answers, data)
    if current > target.version:  # --allow-downgrade: copier refuses, merge the renders
        phases.enter("render")
        old, new = apply_release.reference_renders(template, answers, target, data, job.cache_root)
        phases.enter("merge")
        before = renders.read_files(clone.sub, set(old) | set(new))
        apply_release.downgrade(clone.sub, old, new, config, target)
    else:
        context = {**answers, **data}
        base.migrations = [
            f"{m.version}: {migrations.rendered_command(m, config, context, template.url)}"
            for m in migrations.applicable(config, current, target.version)
        ]
        before = renders.files_of(clone.sub)
        captured = apply_release.copier_update(
            clone.sub, str(answers["_commit"]), target, data, config
        )
        phases.move(captured.render_seconds, "merge", "render")
        if captured.old and captured.new:  # the very renders copier diffed
            old, new = renders.files_of(captured.old), renders.files_of(captured.new)
        else:  # copier did not render them (its internals changed): render them here
            phases.enter("render")
            old, new = apply_release.reference_renders(
                template, answers, target, data, job.cache_root
            )
            phases.enter("merge")
    base.kept_edited, base.kept_deleted = apply_release.keep_member_files(
        clone.sub, before, old, new
    )
    clone.stage()
    lists = {"A": base.files_added, "D": base.files_deleted}
    for kind, rel in clone.staged_changes():
        lists.get(kind, base.files_changed).append(rel)
    touched = base.files_added + base.files_changed
    base.conflicts = sorted(set(conflicted_files(clone.sub, touched)) | set(base.kept_edited))


def _commit_and_push(
    job: UpdateJob,
    clone: MemberClone,
    answers: dict[str, Any],
    target: Release,
    base: Outcome,
    *,
    phases: Phases,
) -> Outcome:
    """Checks (unless conflicted), one commit naming the versions, branch written back."""
    member = job.member
    phases.enter("checks")
    if not base.conflicts:
        checks = run_checks(
            clone.sub, member.checks or job.checks, base.files_added + base.files_changed
        )
        base.checks = checks.ran
        if not checks.ok:
            extra = {"from_version": base.from_version, "to_version": base.to_version}
            return failed(member.name, Category.CHECKS, checks.problem, checks=checks.ran, **extra)
    status = "conflicted" if base.conflicts else "updated"
    phases.enter("commit")
    base.commit = clone.commit(commit_message.message(member, answers, target, base, status))
    push_home(clone, base.branch)
    base.result = Result.CONFLICTED if base.conflicts else Result.UPDATED
    if base.conflicts:
        base.reason = f"conflicts need a human on branch {base.branch}"
    if job.publish:
        phases.enter("publish")
        publish_branch(job.publish, clone, base)
    return base


def _template(location: str, job: UpdateJob) -> TemplateSource:
    try:
        return fetch_template(location, job.cache_root, job.run_id)
    except TemplateError as exc:
        raise MemberError("template", str(exc)) from exc


def _target(template: TemplateSource, wanted: str) -> Release:
    try:
        return find_release(list(template.releases), wanted)
    except ValueError as exc:
        raise MemberError("template", str(exc)) from exc


def _current_version(answers: dict[str, Any], template: TemplateSource) -> Version:
    commit = str(answers.get("_commit") or "")
    version = parse_version(commit)
    if not commit or version is None or template.resolve(commit) is None:
        raise MemberError(
            "unknown-version",
            f"`_commit: {commit or '(none)'}` is not a release of {template.url} "
            f"(releases: {', '.join(r.tag for r in template.releases) or 'none'})",
        )
    return version


def _existing_branch(
    clone: MemberClone, base: Outcome, target: Release, forge: forge_branch.ForgeView | None
) -> Outcome | None:
    """Reuse an existing update branch: never a duplicate, human commits kept.

    The forge's copy wins over the home copy: humans resolve and push there."""
    remote_ref = (forge and forge.branch_ref) or f"origin/{base.branch}"
    if not clone.has_ref(remote_ref):
        clone.start_branch(base.branch)
        return None
    clone.start_branch(base.branch, remote_ref)
    on_branch = parse_version(str(member_repo.read_answers(clone.sub).get("_commit") or ""))
    if on_branch is None or on_branch < target.version:
        return None  # branch exists but the update never landed on it: continue on top
    base.commit = clone.head()
    tip = clone.tip_message()
    if commit_message.is_own_conflicted(tip):  # no human on it yet
        base.result, base.conflicts = Result.CONFLICTED, commit_message.listed_conflicts(tip)
        base.reason = f"update branch {base.branch} still waits for a human to resolve conflicts"
    elif still := conflicted_files(clone.sub, clone.changed_on_branch()):
        base.result, base.conflicts = Result.CONFLICTED, still
        base.reason = f"update branch {base.branch} still has unresolved conflicts"
    else:
        base.reason = f"update branch {base.branch} is already at {target.version} (awaiting merge)"
    return base
