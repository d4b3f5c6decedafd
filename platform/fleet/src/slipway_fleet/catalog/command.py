"""`slipway-fleet catalog`: status of every member, then the static site.

Exit codes from CONTRACTS.md's table: 0, or 1 when Prometheus could not be queried;
`--json` prints one envelope on stdout (the services and pages written as `data`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import uuid
from pathlib import Path

from rich.console import Console
from slipway_contract.cli import DeprecatedSpelling, print_envelope
from slipway_contract.exit_codes import ExitCode

from slipway_fleet.catalog.budget import PrometheusError, fill_budgets
from slipway_fleet.catalog.collect import collect_service
from slipway_fleet.catalog.site import write_site
from slipway_fleet.fleet import Fleet
from slipway_fleet.runner import run_parallel
from slipway_fleet.state import RunState
from slipway_fleet.status import StatusJob, member_status

EXIT_OK, EXIT_PROMETHEUS = ExitCode.OK, ExitCode.FINDING
COMMAND = "slipway-fleet catalog"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="folder to write the site into")
    # `--tree`, as slipway-gitops names the GitOps tree; `--gitops` is the old spelling.
    parser.add_argument(
        "--tree", type=Path, dest="gitops", help="GitOps tree (deployed digests per env)"
    )
    parser.add_argument(
        "--gitops", type=Path, dest="gitops", action=DeprecatedSpelling, instead="--tree",
        help=argparse.SUPPRESS,
    )  # fmt: skip
    parser.add_argument("--prometheus", default="", help="Prometheus URL (remaining budgets)")
    parser.add_argument(
        "--dashboard-url", default="", metavar="PATTERN",
        help="dashboard link per service, {service} substituted (e.g. https://grafana/d/{service})",
    )  # fmt: skip


def run_catalog(args: argparse.Namespace, fleet: Fleet, state: RunState, *, err: Console) -> int:
    jobs = [StatusJob(m, state.work, state.cache, uuid.uuid4().hex) for m in fleet.members]
    statuses = run_parallel(
        member_status, jobs, names=[m.name for m in fleet.members], workers=args.jobs,
        label="catalog", console=err, show_progress=False,
    )  # fmt: skip
    entries = []
    for member, status in zip(fleet.members, statuses, strict=True):
        if not member.is_local:
            err.print(f"{member.name}: remote member, not in the catalog (clone it locally)")
            continue
        directory = member.path / member.subdir if member.subdir else member.path
        entry = collect_service(directory, status, args.gitops)
        if args.dashboard_url:
            entry.dashboards = [args.dashboard_url.format(service=entry.name)]
        entries.append(entry)
    if args.prometheus:
        try:
            fill_budgets(entries, args.prometheus)
        except PrometheusError as exc:
            err.print(f"error: {exc}")
            if args.json:
                return print_envelope(COMMAND, EXIT_PROMETHEUS, error=str(exc))
            return int(EXIT_PROMETHEUS)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    pages = write_site(entries, args.out, prometheus=args.prometheus, generated_at=stamp)
    line = f"catalog: {len(entries)} service(s), {len(pages)} page(s) in {args.out}"
    if args.json:
        err.print(line, markup=False, highlight=False)
        data = {"services": [e.name for e in entries], "pages": [str(p) for p in pages],
                "out": str(args.out)}  # fmt: skip
        return print_envelope(COMMAND, EXIT_OK, data=data)
    print(line)
    return int(EXIT_OK)
