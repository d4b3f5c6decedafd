"""Bring a subproject from its release to the target: the file-level part of an update.

Reference renders (the template at both versions with the member's answers) tell
template files from member edits; `copier update` does the merge; afterwards what
copier would lose is restored. A downgrade (copier refuses those) merges the two
renders into the member itself (`threeway`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slipway_fleet import copier_reuse, migrations, renders, threeway
from slipway_fleet.member_repo import MemberError
from slipway_fleet.template_source import TemplateSource
from slipway_fleet.versions import Release


def reference_renders(
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


def _required_questions(config: dict[str, Any]) -> list[str]:
    """Questions with no default: copier would have to ask for them."""
    required = []
    for name, spec in config.items():
        if name.startswith("_"):
            continue
        if isinstance(spec, dict) and "default" not in spec and "when" not in spec:
            required.append(name)
    return required


def check_answers(config: dict[str, Any], answers: dict[str, Any], data: dict[str, Any]) -> None:
    missing = [q for q in _required_questions(config) if q not in answers and q not in data]
    if missing:
        raise MemberError(
            "missing-answer",
            f"missing answer for new required question(s) {', '.join(missing)}: "
            "give them under this member's `data:` (or `data_file:`) in the fleet file",
        )


def downgrade(
    sub: Path, old: dict[str, bytes], new: dict[str, bytes], config: dict[str, Any], target: Release
) -> None:
    threeway.merge_renders(sub, old, new)
    threeway.set_answers_commit(sub, config.get("_answers_file", ".copier-answers.yml"), target.tag)


def copier_update(
    sub: Path, old_ref: str, target: Release, data: dict[str, Any], config: dict[str, Any]
) -> copier_reuse.MemberRenders:
    """`copier update` from `old_ref` to the target; returns the pristine renders copier diffed."""
    migrations.install_version_order()
    copier_reuse.install()
    commands = {
        str(e.get("command")) for e in config.get("_migrations") or [] if isinstance(e, dict)
    }
    with copier_reuse.capture() as captured:
        try:
            _run_copier_update(sub, target, data, commands, captured)
        except MemberError as exc:
            if captured.failed != "old":
                raise
            raise MemberError("replay", f"old version {old_ref} does not replay: {exc}") from exc
    return captured


def _run_copier_update(
    sub: Path,
    target: Release,
    data: dict[str, Any],
    commands: set[str],
    captured: copier_reuse.MemberRenders,
) -> None:
    import copier  # noqa: PLC0415 - heavy import, only in worker processes
    from copier.errors import TaskError  # noqa: PLC0415

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


def keep_member_files(
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
