"""Gate: the pins in uv.lock against pip-audit (online) or an OSV advisory directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from slipway_gates.outcome import CheckResult
from slipway_gates.security import vulns

NAME = "vulns"
HELP = "uv.lock against pip-audit or an OSV advisory directory"


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--advisory-db", type=Path, help="OSV advisory directory for offline vulnerability checks"
    )
    parser.add_argument("--vuln-mode", choices=["auto", "online", "offline"], default="auto")


def run(args: argparse.Namespace) -> list[CheckResult]:
    return [vulns.run(args.root, args.vuln_mode, args.advisory_db)]
