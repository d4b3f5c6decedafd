"""Summary table and JSON for `update` and `status`, and the exit codes.

Exit codes and the `--json` envelope follow the one convention of every Slipway
command line (slipway_contract.exit_codes, slipway_contract.cli; CONTRACTS.md
"Command lines"); the fleet's own document is the envelope's `data`.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from slipway_contract.cli import envelope
from slipway_contract.exit_codes import ExitCode

from slipway_fleet.outcome import Outcome, Result
from slipway_fleet.status import MemberStatus

# Exit codes of `update`: the worst outcome wins (failed, then conflicted, then skipped).
EXIT_OK = ExitCode.OK
EXIT_FAILED = ExitCode.FINDING
EXIT_USAGE = ExitCode.USAGE
EXIT_CONFLICTED = ExitCode.NEEDS_HUMAN  # a person resolves the conflict on the branch
EXIT_SKIPPED = ExitCode.NOT_RUN  # the member was not updated (e.g. an update branch exists)
# Not in the table: the shell's convention for SIGINT, kept so `$? == 130` still means Ctrl-C.
EXIT_INTERRUPTED = 130
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


def update_exit_code(outcomes: list[Outcome]) -> ExitCode:
    results = {o.result for o in outcomes}
    if Result.FAILED in results:
        return EXIT_FAILED
    if results & {Result.CONFLICTED, Result.WOULD_CONFLICT}:
        return EXIT_CONFLICTED
    if Result.SKIPPED in results:
        return EXIT_SKIPPED
    return EXIT_OK


UPDATE_COMMAND = "slipway-fleet update"
STATUS_COMMAND = "slipway-fleet status"


def update_envelope(
    target: str,
    dry_run: bool,
    outcomes: list[Outcome],
    *,
    interrupted: bool = False,
    shard: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The `update --json` envelope; `data` holds the target, summary and members."""
    data: dict[str, Any] = {
        "target": target,
        "dry_run": dry_run,
        "interrupted": interrupted,  # True: only the members that finished are listed
        "summary": summary(outcomes),
        "members": [o.to_json() for o in outcomes],
    }
    if shard:  # `update --shard K/N`: index, count and the whole fleet's member names
        data["shard"] = shard
    doc = envelope(UPDATE_COMMAND, update_exit_code(outcomes), data=data)
    if interrupted:  # 130 is outside the table (and ExitCode), so set after the fact
        doc["exit_code"], doc["result"] = EXIT_INTERRUPTED, "interrupted"
    return doc


def update_json(
    target: str,
    dry_run: bool,
    outcomes: list[Outcome],
    *,
    interrupted: bool = False,
    shard: dict[str, Any] | None = None,
) -> str:
    doc = update_envelope(target, dry_run, outcomes, interrupted=interrupted, shard=shard)
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


def status_exit_code(statuses: list[MemberStatus]) -> ExitCode:
    return EXIT_OK if all(s.ok for s in statuses) else EXIT_FAILED


def status_json(statuses: list[MemberStatus]) -> str:
    data = {
        "summary": {
            "members": len(statuses),
            "problems": sum(not s.ok for s in statuses),
            "behind": sum(bool(s.behind) for s in statuses),
        },
        "members": [s.to_json() for s in statuses],
    }
    return json.dumps(envelope(STATUS_COMMAND, status_exit_code(statuses), data=data), indent=2)


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
