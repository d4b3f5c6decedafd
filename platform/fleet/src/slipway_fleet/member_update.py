"""Update one member to a template release in an isolated clone (runs in a worker).

Order of work: reachability -> dirty? -> clone -> answers -> versions -> existing
branch? -> missing answers -> reference renders -> `copier update` -> keep what the
member owns -> conflicts -> checks -> commit -> push branch -> publish.
Every failure becomes an Outcome with a category; nothing here stops other members.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slipway_fleet import forge_branch, member_repo, migrations, preflight, renders, threeway
from slipway_fleet.checks import run_checks
from slipway_fleet.conflicts import conflicted_files
from slipway_fleet.fleet import Member
from slipway_fleet.gitcmd import GitError, git
from slipway_fleet.member_repo import MemberError
from slipway_fleet.outcome import Category, Outcome, Result, failed
from slipway_fleet.publish import (
    PublishConfig,
    PublishError,
    PullRequest,
    open_pull_request,
    project_from_url,
)
from slipway_fleet.template_source import TemplateError, TemplateSource, fetch_template
from slipway_fleet.versions import Release, find_release, parse_version

STATUS_TRAILER = "Slipway-Fleet-Status"


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
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def update_member(job: UpdateJob) -> Outcome:
    """Worker entry point: never raises; every problem becomes the member's Outcome."""
    log = job.log_dir / f"{job.member.name}.log"
    job.work_root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{job.member.name}-", dir=job.work_root))
    try:
        with _output_to(log):
            outcome = _update(job, scratch)
    except MemberError as exc:
        outcome = failed(job.member.name, Category(exc.category), str(exc))
    except Exception as exc:  # a bug must not take the fleet down; say where to look
        with log.open("a") as handle:
            handle.write(traceback.format_exc())
        outcome = failed(job.member.name, Category.INTERNAL, f"{type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    outcome.log = str(log)
    if outcome.result is Result.SKIPPED and not outcome.category:
        outcome.category = Category.DIRTY
    return outcome


def _update(job: UpdateJob, scratch: Path) -> Outcome:
    member = job.member
    member_repo.check_reachable(member)
    if dirty := member_repo.dirty_files(member):
        shown = ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")
        return Outcome(
            member.name,
            Result.SKIPPED,
            Category.DIRTY,
            f"uncommitted changes in the member ({shown}); commit or stash them first",
        )
    repo = member_repo.clone(member, scratch / "repo")
    sub = repo / member.subdir if member.subdir else repo
    answers = member_repo.read_answers(sub)
    template = _template(member_repo.template_location(member, answers, sub), job)
    current = _current_version(answers, template)
    try:
        target = find_release(list(template.releases), job.target)
    except ValueError as exc:
        raise MemberError("template", str(exc)) from exc
    base = Outcome(
        member.name, Result.UP_TO_DATE, from_version=str(current), to_version=str(target.version)
    )
    if current > target.version and not job.allow_downgrade:
        raise MemberError("downgrade", preflight.downgrade_problem(member.name, current, target))
    if current == target.version:
        base.reason = f"already at {current}"
        return base
    base.branch = member_repo.branch_name(member, str(current), str(target.version))
    remote = job.publish.remote if job.publish else "origin"
    forge = forge_branch.fetch(member, repo, remote, base.branch)
    merged = forge_branch.default_branch_version(repo, forge, member.subdir) if forge else None
    if forge and merged and merged >= target.version:  # merged there (branch maybe deleted)
        base.reason = f"the remote's {forge.default_ref.split('/', 1)[1]} is at {merged} already"
        return base
    if existing := _existing_branch(repo, sub, base, target, forge):
        if job.publish and not job.dry_run:
            _publish(job.publish, member, repo, existing)  # retried until it succeeds
        return existing
    data = {**job.data, **member.data}
    config = template.config(target.tag)
    _check_answers(config, answers, data)
    old, new = _reference_renders(template, answers, target, data, job.cache_root)
    before = renders.read_files(sub, set(old) | set(new))
    base.migrations = [
        f"{m.version}: {migrations.rendered_command(m, config, {**answers, **data}, template.url)}"
        for m in migrations.applicable(config, current, target.version)
    ]
    if current > target.version:  # --allow-downgrade: copier refuses, merge the renders
        base.migrations = []
        threeway.merge_renders(sub, old, new)
        threeway.set_answers_commit(
            sub, config.get("_answers_file", ".copier-answers.yml"), target.tag
        )
    else:
        _run_copier_update(sub, target, data, config)
    kept_edited, kept_deleted = _keep_member_files(sub, before, old, new)
    base.kept_edited, base.kept_deleted = kept_edited, kept_deleted
    _stage(repo, member)
    _record_changes(repo, member, base)
    base.conflicts = sorted(
        set(conflicted_files(sub, base.files_added + base.files_changed)) | set(kept_edited)
    )
    if job.dry_run:
        base.patch = git("diff", "--cached", "--binary", "--", member.subdir or ".", cwd=repo)
        base.result = Result.WOULD_CONFLICT if base.conflicts else Result.WOULD_UPDATE
        return base
    return _commit_and_push(job, repo, sub, answers=answers, target=target, base=base)


def _commit_and_push(
    job: UpdateJob,
    repo: Path,
    sub: Path,
    *,
    answers: dict[str, Any],
    target: Release,
    base: Outcome,
) -> Outcome:
    """Checks (unless conflicted), one commit naming the versions, branch written back."""
    member = job.member
    if not base.conflicts:
        checks = run_checks(sub, member.checks or job.checks, base.files_added + base.files_changed)
        base.checks = checks.ran
        if not checks.ok:
            return failed(
                member.name,
                Category.CHECKS,
                checks.problem,
                from_version=base.from_version,
                to_version=base.to_version,
                checks=checks.ran,
            )
    status = "conflicted" if base.conflicts else "updated"
    git(
        "commit",
        "--quiet",
        "--no-verify",
        "-m",
        _message(member, answers, target, base, status),
        cwd=repo,
    )
    base.commit = git("rev-parse", "HEAD", cwd=repo).strip()
    _push_home(repo, base.branch)
    base.result = Result.CONFLICTED if base.conflicts else Result.UPDATED
    if base.conflicts:
        base.reason = f"conflicts need a human on branch {base.branch}"
    if job.publish:
        _publish(job.publish, member, repo, base)
    return base


def _reference_renders(
    template: TemplateSource,
    answers: dict[str, Any],
    target: Release,
    data: dict[str, Any],
    cache_root: Path,
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The template's files at the member's version and at the target, same answers."""
    try:
        old = renders.files_of(renders.render(template, answers["_commit"], answers, cache_root))
    except renders.RenderError as exc:
        raise MemberError(
            "replay", f"old version {answers['_commit']} does not replay: {exc}"
        ) from exc
    try:
        new = renders.files_of(
            renders.render(template, target.tag, {**answers, **data}, cache_root)
        )
    except renders.RenderError as exc:
        raise MemberError(
            "update", f"{target.tag} does not render with these answers: {exc}"
        ) from exc
    return old, new


def _template(location: str, job: UpdateJob) -> TemplateSource:
    try:
        return fetch_template(location, job.cache_root, job.run_id)
    except TemplateError as exc:
        raise MemberError("template", str(exc)) from exc


def _current_version(answers: dict[str, Any], template: TemplateSource) -> Any:
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
    repo: Path, sub: Path, base: Outcome, target: Release, forge: forge_branch.ForgeView | None
) -> Outcome | None:
    """Reuse an existing update branch: never a duplicate, human commits kept.

    The forge's copy wins over the home copy: humans resolve and push there."""
    remote_ref = (forge and forge.branch_ref) or f"origin/{base.branch}"
    if not _has_ref(repo, remote_ref):
        git("checkout", "--quiet", "-b", base.branch, cwd=repo)
        return None
    git("checkout", "--quiet", "-b", base.branch, remote_ref, cwd=repo)
    on_branch = parse_version(str(member_repo.read_answers(sub).get("_commit") or ""))
    if on_branch is None or on_branch < target.version:
        return None  # branch exists but the update never landed on it: continue on top
    merge_base = git("merge-base", "HEAD", "origin/HEAD", cwd=repo, check=False).strip()
    rel = git("diff", "--name-only", "--relative", merge_base or "HEAD", "HEAD", cwd=sub).split()
    base.commit = git("rev-parse", "HEAD", cwd=repo).strip()
    tip = git("log", "-1", "--format=%B", cwd=repo)
    if f"{STATUS_TRAILER}: conflicted" in tip:  # our conflicted commit, no human on it yet
        base.result, base.conflicts = Result.CONFLICTED, _listed_conflicts(tip)
        base.reason = f"update branch {base.branch} still waits for a human to resolve conflicts"
    elif still := conflicted_files(sub, rel):
        base.result, base.conflicts = Result.CONFLICTED, still
        base.reason = f"update branch {base.branch} still has unresolved conflicts"
    else:
        base.reason = f"update branch {base.branch} is already at {target.version} (awaiting merge)"
    return base


def _listed_conflicts(message: str) -> list[str]:
    """The `- path` lines under the Conflicts heading of our own commit message."""
    lines = message.split("Conflicts (", 1)[-1].split("\n\n", 1)[0].splitlines()[1:]
    return [line.removeprefix("- ") for line in lines if line.startswith("- ")]


def _has_ref(repo: Path, ref: str) -> bool:
    return bool(git("rev-parse", "--verify", "--quiet", ref, cwd=repo, check=False).strip())


def _required_questions(config: dict[str, Any]) -> list[str]:
    """Questions with no default: copier would have to ask for them."""
    required = []
    for name, spec in config.items():
        if name.startswith("_"):
            continue
        if isinstance(spec, dict) and "default" not in spec and "when" not in spec:
            required.append(name)
    return required


def _check_answers(config: dict[str, Any], answers: dict[str, Any], data: dict[str, Any]) -> None:
    missing = [q for q in _required_questions(config) if q not in answers and q not in data]
    if missing:
        raise MemberError(
            "missing-answer",
            f"missing answer for new required question(s) {', '.join(missing)}: "
            "give them under this member's `data:` (or `data_file:`) in the fleet file",
        )


def _run_copier_update(
    sub: Path, target: Release, data: dict[str, Any], config: dict[str, Any]
) -> None:
    import copier  # noqa: PLC0415 - heavy import, only in worker processes
    from copier.errors import TaskError  # noqa: PLC0415

    migrations.install_version_order()
    commands = {
        str(e.get("command")) for e in config.get("_migrations") or [] if isinstance(e, dict)
    }
    try:
        copier.run_update(
            sub,
            vcs_ref=target.tag,
            data=data,
            defaults=True,
            overwrite=True,
            unsafe=True,
            conflict="inline",
            skip_answered=True,
            quiet=True,
        )
    except TaskError as exc:
        cmd = exc.cmd if isinstance(exc.cmd, str) else " ".join(map(str, exc.cmd))
        category = "migration" if any((c and c in cmd) or cmd in c for c in commands) else "update"
        raise MemberError(category, f"{category} command failed ({exc.returncode}): {cmd}") from exc
    except Exception as exc:
        raise MemberError("update", f"copier update failed: {type(exc).__name__}: {exc}") from exc


def _keep_member_files(
    sub: Path, before: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes]
) -> tuple[list[str], list[str]]:
    """Undo what copier would lose: edited files the template deleted, member deletions."""
    kept_edited = []
    for rel in sorted(set(old) - set(new)):
        if rel in before and before[rel] != old[rel]:
            path = sub / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(before[rel])  # copier removed it; the member's edit wins
            kept_edited.append(rel)
    kept_deleted = []
    for rel in sorted(set(old) & set(new)):
        if rel not in before and old[rel] != new[rel]:
            (sub / rel).unlink(missing_ok=True)  # the member deleted it: stays deleted
            kept_deleted.append(rel)
    return kept_edited, kept_deleted


def _stage(repo: Path, member: Member) -> None:
    # copier marks conflicted paths as unmerged in the index; `add` records the tree as is.
    git("add", "--all", "--", member.subdir or ".", cwd=repo)
    for rej in git(
        "ls-files",
        "--others",
        "--ignored",
        "--exclude-standard",
        "--",
        member.subdir or ".",
        cwd=repo,
    ).split():
        if rej.endswith(".rej"):
            git("add", "--force", "--", rej, cwd=repo)


def _record_changes(repo: Path, member: Member, out: Outcome) -> None:
    prefix = f"{member.subdir}/" if member.subdir else ""
    status = git(
        "diff", "--cached", "--name-status", "--no-renames", "--", member.subdir or ".", cwd=repo
    )
    for line in status.splitlines():
        kind, _, path = line.partition("\t")
        rel = path.removeprefix(prefix)
        {"A": out.files_added, "D": out.files_deleted}.get(kind[:1], out.files_changed).append(rel)


def _message(
    member: Member, answers: dict[str, Any], target: Release, out: Outcome, status: str
) -> str:
    head = f"chore(template): update {member.name} from {out.from_version} to {out.to_version}"
    if status == "conflicted":
        head = f"[needs human] {head} (conflicts)"
    lines = [head, "", f"Template: {answers['_src_path']} {answers['_commit']} -> {target.tag}"]
    for title, items in (
        ("Conflicts (resolve, then commit on this branch)", out.conflicts),
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


def _push_home(repo: Path, branch: str) -> None:
    """Write the branch back into the member's repository (fast-forward only)."""
    try:
        git(
            "push",
            "--quiet",
            "origin",
            f"refs/heads/{branch}:refs/heads/{branch}",
            cwd=repo,
            timeout=600,
        )
    except GitError as exc:
        raise MemberError(
            "push", f"cannot write branch {branch} to the member: {exc.stderr}"
        ) from exc


def _publish(config: PublishConfig, member: Member, repo: Path, out: Outcome) -> None:
    try:
        if member.is_local:
            remote_url = git(
                "remote", "get-url", config.remote, cwd=member.path, check=False
            ).strip()
            if not remote_url:
                raise PublishError(f"the member has no remote {config.remote!r} to publish to")
            git(
                "push",
                "--quiet",
                remote_url,
                f"refs/heads/{out.branch}:refs/heads/{out.branch}",
                cwd=repo,
                timeout=600,
            )
        else:
            remote_url = member.location  # the branch was already pushed there
        base_branch = config.base_branch or git(
            "rev-parse", "--abbrev-ref", "origin/HEAD", cwd=repo
        ).strip().removeprefix("origin/")
        conflicted = out.result is Result.CONFLICTED
        pr = PullRequest(
            title=f"Update template from {out.from_version} to {out.to_version}",
            body=git("log", "-1", "--format=%B", cwd=repo),
            head=out.branch,
            base=base_branch,
            draft=conflicted,
            labels=("needs-human",) if conflicted else (),
        )
        out.pull_request = open_pull_request(
            config, member.project or project_from_url(remote_url), pr
        )
    except GitError as exc:
        raise MemberError("publish", f"push to remote failed: {exc.stderr}") from exc
    except PublishError as exc:
        raise MemberError("publish", str(exc)) from exc
