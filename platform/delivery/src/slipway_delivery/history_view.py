"""`slipway-gitops history`: the audit trail of one service as a table (`--json`: the
entries are the envelope's data, audited_commands.py)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from rich.console import Console
from rich.table import Table

from slipway_delivery.audit import AuditEntry


def short_digest(digest: str) -> str:
    return digest.removeprefix("sha256:")[:12] if digest else ""


def as_table(entries: Sequence[AuditEntry], service: str, env: str | None) -> Table:
    where = f" in {env}" if env else ""
    table = Table(title=f"{service}{where}: {len(entries)} audited change(s), newest first")
    for column in ("when", "action", "env", "digest", "version", "actor", "reason", "checks"):
        table.add_column(column, overflow="fold")
    table.add_column("commit", no_wrap=True)
    for e in entries:
        table.add_row(
            e.date, e.action, e.environment, short_digest(e.digest), e.version, e.actor,
            e.reason, e.checks, e.commit[:10],
        )  # fmt: skip
    return table


def print_history(
    entries: Sequence[AuditEntry], service: str, env: str | None, stream: TextIO | None = None
) -> None:
    out = stream or sys.stdout
    # Wide enough for a digest column on a CI log; rich folds the rest.
    Console(file=out, width=160).print(as_table(entries, service, env))
