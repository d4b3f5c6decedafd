"""Summary table and JSON for `update` and `status`, and the exit codes."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from slipway_fleet.outcome import Outcome, Result
from slipway_fleet.status import MemberStatus

# Exit codes of `update` (documented in the README): the worst outcome wins.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CONFLICTED, EXIT_SKIPPED = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130  # the shell's convention for SIGINT
_BUCKETS = ("updated", "up-to-date", "conflicted", "skipped", "failed")
_STYLE = {
    Result.UPDATED: "green",
    Result.UP_TO_DATE: "dim",
    Result.CONFLICTED: "yellow",
    Result.SKIPPED: "magenta",
    Result.FAILED: "red",
    Result.WOULD_UPDATE: "cyan",
    Result.WOULD_CONFLICT: "yellow",
}


def summary(outcomes: list[Outcome]) -> dict[str, int]:
    """Counts per bucket (dry-run results count as updated/conflicted)."""
    fold = {Result.WOULD_UPDATE: "updated", Result.WOULD_CONFLICT: "conflicted"}
    counts = Counter(fold.get(o.result, str(o.result)) for o in outcomes)
    return {bucket: counts.get(bucket, 0) for bucket in _BUCKETS}


def update_exit_code(outcomes: list[Outcome]) -> int:
    results = {o.result for o in outcomes}
    if Result.FAILED in results:
        return EXIT_FAILED
    if results & {Result.CONFLICTED, Result.WOULD_CONFLICT}:
        return EXIT_CONFLICTED
    if Result.SKIPPED in results:
        return EXIT_SKIPPED
    return EXIT_OK


def update_json(
    target: str,
    dry_run: bool,
    outcomes: list[Outcome],
    *,
    interrupted: bool = False,
    shard: dict[str, Any] | None = None,
) -> str:
    doc: dict[str, Any] = {
        "command": "update",
        "target": target,
        "dry_run": dry_run,
        "interrupted": interrupted,  # True: only the members that finished are listed
        "summary": summary(outcomes),
        "exit_code": EXIT_INTERRUPTED if interrupted else update_exit_code(outcomes),
        "members": [o.to_json() for o in outcomes],
    }
    if shard:  # `update --shard K/N`: index, count and the whole fleet's member names
        doc["shard"] = shard
    return json.dumps(doc, indent=2)


def _detail(o: Outcome) -> str:
    parts = []
    if o.category:
        parts.append(f"[{o.category}] {o.reason}")
    elif o.reason:
        parts.append(o.reason)
    if o.conflicts:
        parts.append("conflicts: " + ", ".join(o.conflicts))
    if o.kept_edited:
        parts.append("kept (edited here, deleted by template): " + ", ".join(o.kept_edited))
    if o.kept_deleted:
        parts.append("kept deleted (template changed them): " + ", ".join(o.kept_deleted))
    if o.migrations and o.result in {Result.WOULD_UPDATE, Result.WOULD_CONFLICT}:
        parts.append("migrations: " + "; ".join(o.migrations))
    if o.pull_request:
        parts.append(f"PR: {o.pull_request}")
    if o.from_previous_run:
        parts.append("(from the previous run)")
    return escape("\n".join(parts))  # paths and reasons may contain [brackets]


def print_update(console: Console, target: str, dry_run: bool, outcomes: list[Outcome]) -> None:
    if dry_run:
        for o in outcomes:
            if o.patch:
                console.rule(f"{o.member}: patch ({o.from_version} -> {o.to_version})")
                console.print(o.patch, markup=False, highlight=False)
    table = Table(title=f"slipway-fleet update --to {target}" + (" (dry run)" if dry_run else ""))
    for column in ("member", "result", "versions", "branch", "files", "detail"):
        table.add_column(column, overflow="fold")
    for o in outcomes:
        versions = f"{o.from_version} -> {o.to_version}" if o.from_version else ""
        files = f"+{len(o.files_added)} ~{len(o.files_changed)} -{len(o.files_deleted)}"
        table.add_row(
            o.member,
            f"[{_STYLE[o.result]}]{o.result}[/]",
            versions,
            o.branch,
            files if o.branch else "",
            _detail(o),
        )
    console.print(table)
    counts = summary(outcomes)
    console.print("  ".join(f"{k}: {v}" for k, v in counts.items()))


def status_exit_code(statuses: list[MemberStatus]) -> int:
    return EXIT_OK if all(s.ok for s in statuses) else EXIT_FAILED


def status_json(statuses: list[MemberStatus]) -> str:
    doc = {
        "command": "status",
        "summary": {
            "members": len(statuses),
            "problems": sum(not s.ok for s in statuses),
            "behind": sum(bool(s.behind) for s in statuses),
        },
        "exit_code": status_exit_code(statuses),
        "members": [s.to_json() for s in statuses],
    }
    return json.dumps(doc, indent=2)


def print_status(console: Console, statuses: list[MemberStatus]) -> None:
    table = Table(title="slipway-fleet status")
    for column in (
        "member",
        "source",
        "version",
        "latest",
        "behind",
        "drift",
        "update branch",
        "problem",
    ):
        table.add_column(column, overflow="fold")
    for s in statuses:
        drift = [f"~{p}" for p in s.drift_modified] + [f"-{p}" for p in s.drift_deleted]
        table.add_row(
            s.member + (f" ({s.subdir})" if s.subdir else ""),
            s.source,
            f"{s.version or '?'} ({s.commit})" if s.commit else "",
            s.latest,
            "" if s.behind is None else str(s.behind),
            ("dirty; " if s.dirty else "") + (", ".join(drift) or ("?" if s.problem else "none")),
            ", ".join(s.update_branches),
            f"[red]{escape(f'[{s.category}] {s.problem}')}[/]" if s.problem else "",
        )
    console.print(table)
