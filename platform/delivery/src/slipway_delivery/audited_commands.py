"""The `slipway-gitops` commands that change the tree, each ending in an audit commit.

promote, record, rollback and flag write their files (promotion.py, flags.py),
print the pull request text, then commit exactly those files signed off with
actor, reason, digest and checks as trailers (audit.py); `--no-commit` leaves
committing to the caller. `history` reads the trail back. Each returns the data
of the `--json` envelope (what changed and the commit, or the entries).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from slipway_contract.cli import SCHEMA as CLI_SCHEMA

from slipway_delivery.audit import (
    AuditEntry,
    commit_change,
    history,
    require_git_tree,
    resolve_actor,
)
from slipway_delivery.errors import UsageError
from slipway_delivery.flags import set_flag
from slipway_delivery.gitops_tree import GitopsTree
from slipway_delivery.history_view import print_history
from slipway_delivery.promotion import previous_stage, promote, record_verification, rollback


def _evidence(path: Path | None) -> dict[str, object] | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"--evidence {path}: unreadable JSON ({exc})") from None
    if isinstance(data, dict) and data.get("schema") == CLI_SCHEMA:  # `--json > FILE`
        data = data.get("data")
    if not isinstance(data, dict):
        raise UsageError(f"--evidence {path}: expected a JSON object (a report or an envelope)")
    keep = ("result", "url", "checks", "window", "gates", "smoke_image", "digest", "version")
    return {k: data[k] for k in keep if k in data}


def _checks(evidence: dict[str, Any] | None, stage: str) -> str:
    """The verification a change relied on, as one trailer line."""
    if not evidence:
        return "none"
    parts = [f"{stage} {evidence.get('result')} at {evidence.get('recorded_at')}"]
    detail = evidence.get("evidence")
    if isinstance(detail, dict):
        parts += [f"{key}={detail[key]}" for key in ("url", "window", "result") if key in detail]
    return "; ".join(parts)


def _start(args: argparse.Namespace, tree: GitopsTree) -> None:
    """Refuse before writing anything when the change could not be committed."""
    if not args.no_commit:
        require_git_tree(tree.root)
        args.actor = resolve_actor(args.actor, tree.root)


def _commit(
    args: argparse.Namespace, tree: GitopsTree, entry: AuditEntry, text: str
) -> dict[str, Any]:
    """Commit the entry's files; `text` is the pull request (title, blank line, body).
    Returns what changed, the envelope's data."""
    title, _, body = text.partition("\n\n")
    data = {"entry": entry.as_dict(), "files": list(args.files), "title": title, "commit": None}
    if args.no_commit:
        print("not committed (--no-commit): no audit record", file=sys.stderr)
        return data
    sha = commit_change(tree.root, args.files, entry, title, body or title)
    print(f"committed {sha[:12]}: {title} (actor {entry.actor}, signed off)")
    return {**data, "commit": sha}


def _promote(args: argparse.Namespace, tree: GitopsTree) -> dict[str, Any]:
    _start(args, tree)
    # CI runs in the service folder: its slo.yaml is the default.
    slo = args.slo or (Path("slo.yaml") if Path("slo.yaml").is_file() else None)
    if slo is None:
        print("no slo.yaml here and no --slo: SLO rules left as they are", file=sys.stderr)
    done, evidence = promote(
        tree, args.service, args.env, args.digest, args.version,
        repository=args.image or f"127.0.0.1:5000/{args.service}",
        trigger=args.trigger, git_ref=args.git_ref, approved_by=args.approved_by, slo=slo,
    )  # fmt: skip
    body = done.pr_body({k: v for k, v in evidence.items() if k != "evidence"})
    if args.pr_body:
        args.pr_body.write_text(f"{done.pr_title()}\n\n{body}")
    print(done.pr_title())
    print(body)
    prev = previous_stage(args.env)
    args.files = done.files
    entry = AuditEntry(
        "promote", args.service, args.env, args.digest, args.actor or "",
        args.reason or f"{args.trigger}: passed its {prev} checks", _checks(evidence, prev),
        version=args.version,
    )  # fmt: skip
    return _commit(args, tree, entry, f"{done.pr_title()}\n\n{body}")


def _record(args: argparse.Namespace, tree: GitopsTree) -> dict[str, Any]:
    _start(args, tree)
    entry = record_verification(
        tree, args.service, args.env, args.digest, args.result,
        version=args.version, evidence=_evidence(args.evidence),
    )  # fmt: skip
    line = f"recorded {args.service}@{args.digest} {args.env}: {entry['result']}"
    print(line)
    args.files = [str(tree.verifications_path(args.env, args.service).relative_to(tree.root))]
    audit = AuditEntry(
        "record", args.service, args.env, args.digest, args.actor or "",
        args.reason or f"{args.env} checks {args.result}", _checks(entry, args.env),
        version=args.version or "",
    )  # fmt: skip
    return _commit(args, tree, audit, f"verify({args.env}): {args.service} {args.result}\n\n{line}")


def _rollback(args: argparse.Namespace, tree: GitopsTree) -> dict[str, Any]:
    _start(args, tree)
    done, evidence = rollback(tree, args.service, args.env, digest=args.digest)
    title = f"rollback({args.env}): {args.service} {done.version}"
    body = (
        f"Roll back **{args.service}** in **{args.env}** to `{done.version}`.\n\n"
        f"- digest: `{done.previous_digest}` -> `{done.digest}`\n"
        f"- why: {args.reason}\n"
        f"- that digest passed its {args.env} checks at {evidence.get('recorded_at')}\n"
        + "".join(f"- changed: `{f}`\n" for f in done.files)
    )
    if args.pr_body:
        args.pr_body.write_text(f"{title}\n\n{body}")
    print(f"{title} (rollback from {done.previous_digest} to {done.digest})")
    args.files = done.files
    entry = AuditEntry(
        "rollback", args.service, args.env, done.digest, args.actor or "", args.reason,
        _checks(evidence, args.env), version=done.version,
    )  # fmt: skip
    return _commit(args, tree, entry, f"{title}\n\n{body}")


def _flag(args: argparse.Namespace, tree: GitopsTree) -> dict[str, Any]:
    _start(args, tree)
    old, new = set_flag(tree, args.env, args.service, args.flag, args.variant)
    line = f"{args.service} {args.env}: flag {args.flag} {old} -> {new}"
    print(line)
    running = tree.current_image(args.env, args.service) or {}
    args.files = [str(tree.flags_path(args.env, args.service).relative_to(tree.root))]
    entry = AuditEntry(
        "flag", args.service, args.env, str(running.get("digest", "")), args.actor or "",
        args.reason, f"flag {args.flag}: {old} -> {new} (no deploy)",
        version=str(running.get("tag", "")),
    )  # fmt: skip
    return _commit(
        args, tree, entry, f"flag({args.env}): {args.service} {args.flag}={new}\n\n{line}"
    )


def _history(args: argparse.Namespace, tree: GitopsTree) -> list[dict[str, Any]]:
    entries = history(tree.root, args.service, args.env)
    if not args.json:  # under --json the entries are the data; no table beside them
        print_history(entries, args.service, args.env)
    return [e.as_dict() for e in entries]


AUDITED_COMMANDS: dict[str, Callable[[argparse.Namespace, GitopsTree], Any]] = {
    "promote": _promote,
    "record": _record,
    "rollback": _rollback,
    "flag": _flag,
    "history": _history,
}
