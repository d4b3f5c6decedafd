"""Gate: one checkov run over terraform/, rendered charts (per env) and Dockerfiles."""

from __future__ import annotations

import argparse

from slipway_gates.outcome import CheckResult
from slipway_gates.security import checkov_scan

NAME = "checkov"
HELP = "checkov on terraform/, rendered helm charts (per env) and Dockerfiles"


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--test-only",
        action="append",
        default=[],
        metavar="GLOB",
        help="Dockerfiles of test-only images that are never deployed: not checked by checkov",
    )


def run(args: argparse.Namespace) -> list[CheckResult]:
    return [checkov_scan.run(args.root, test_only=tuple(args.test_only))]
