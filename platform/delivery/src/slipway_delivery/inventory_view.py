"""`slipway-gitops inventory`: per environment, a table of what each service receives."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from slipway_contract.environments import ENVIRONMENTS
from slipway_contract.exit_codes import ExitCode

from slipway_delivery.environment_contract import differences
from slipway_delivery.gitops_tree import GitopsTree
from slipway_delivery.inventory import Row, inventory

COLUMNS = ("service", "kind", "objects", "replicas", "autoscaling", "strategy", "promotion",
           "analysis", "alerts", "dashboards", "network_policies", "pdb")  # fmt: skip


def _objects(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} x{n}" if n > 1 else kind for kind, n in counts.items())


def as_table(env: str, rows: Sequence[Row]) -> Table:
    table = Table(title=f"{env}: {len(rows)} service(s), as Argo CD would apply them")
    for column in COLUMNS:
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        data = row.as_dict()
        data["objects"] = _objects(row.objects)
        # escape: `[prometheus, after 2m]` is text, not rich markup.
        table.add_row(*(escape(str(data[c])) for c in COLUMNS))
    return table


def print_inventory(rows: Sequence[Row], stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    console = Console(file=out, width=220)
    for env in ENVIRONMENTS:
        in_env = [r for r in rows if r.env == env]
        if in_env:
            console.print(as_table(env, in_env))


def run_inventory(
    tree: GitopsTree, env: str | None, *, table: bool, check: bool
) -> tuple[ExitCode, dict[str, Any]]:
    """Print the inventory (`table`: not under `--json`, where the rows are the data); with
    `check`, the contract's differences too (a finding if any)."""
    rows = inventory(tree, env)
    if table:
        print_inventory(rows)
    data: dict[str, Any] = {"rows": [r.as_dict() for r in rows]}
    if not check:
        return ExitCode.OK, data
    problems = [p for row in rows for p in differences(row)]
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"environment contract: {len(rows)} render(s), {len(problems)} difference(s)",
          file=sys.stderr)  # fmt: skip
    data["differences"] = problems
    return (ExitCode.FINDING if problems else ExitCode.OK), data
