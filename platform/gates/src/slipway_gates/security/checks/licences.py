"""Gate: the installed distributions' licences against the allow-list."""

from __future__ import annotations

import argparse
from pathlib import Path

from slipway_gates.outcome import CheckResult
from slipway_gates.security import licences

NAME = "licences"
HELP = "installed distributions against the licence allow-list"


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        type=Path,
        help="licence policy TOML (default: <root>/licence-policy.toml or packaged)",
    )


def run(args: argparse.Namespace) -> list[CheckResult]:
    return [licences.run(args.root, args.policy)]
