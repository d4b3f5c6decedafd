"""`slipway-smoke`: post-deploy health, key routes and SLO metrics; non-zero rolls back.

Exit codes follow CONTRACTS.md (0 healthy, 1 unhealthy, 2 usage); `--json` prints one
envelope on stdout (each check an outcome, the report as `data`); `--out FILE` also
writes the report, the evidence `slipway-gitops record --evidence` reads.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from slipway_contract.cli import (
    JSON_HELP,
    human_output_to_stderr,
    parse_or_envelope,
    print_envelope,
)
from slipway_contract.exit_codes import ExitCode
from slipway_contract.outcome import Outcome

from slipway_delivery.cli_support import run_cli
from slipway_delivery.errors import UsageError
from slipway_delivery.slo_thresholds import SloThresholds, load_thresholds
from slipway_delivery.smoke import SmokeReport, run_smoke

PROG = "slipway-smoke"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    parser.add_argument("--url", required=True, help="base URL of the deployed service")
    parser.add_argument(
        "--route", action="append", default=[],
        help="key route to exercise and judge (repeatable); without one only health is checked",
    )  # fmt: skip
    parser.add_argument("--slo", type=Path, help="the service's slo.yaml (objectives)")
    parser.add_argument("--window", type=float, default=10.0, help="seconds of traffic to judge")
    parser.add_argument("--min-requests", type=int, default=20)
    parser.add_argument("--json", action="store_true", help=JSON_HELP)
    parser.add_argument(
        "--out", type=Path, metavar="FILE",
        help="also write the report here (the evidence of `slipway-gitops record`)",
    )  # fmt: skip
    # `--json FILE`, the spelling before `--json` meant the envelope: FILE arrives here.
    parser.add_argument("legacy_out", nargs="?", type=Path, help=argparse.SUPPRESS)
    return parser


def _legacy_out(args: argparse.Namespace) -> None:
    """CI files written before still say `--json smoke.json`: the file is written as with
    `--out`, with a one-line warning (the envelope goes to stdout as for `--json`)."""
    if args.legacy_out is None:
        return
    if not args.json or args.out:
        raise UsageError(f"unexpected argument {str(args.legacy_out)!r}")
    print(
        f"{PROG}: warning: --json FILE is deprecated, use --out {args.legacy_out} "
        "(--json alone prints the envelope on stdout)",
        file=sys.stderr,
    )
    args.out = args.legacy_out


def _outcomes(report: SmokeReport) -> list[Outcome]:
    """Each check as an outcome of the envelope."""
    return [
        Outcome.passed(c.name, c.detail) if c.ok else Outcome.failed(c.name, c.detail, [c.detail])
        for c in report.checks
    ]


def _main(argv: Sequence[str] | None) -> int:
    args = parse_or_envelope(_parser().parse_args, argv, PROG)
    _legacy_out(args)
    if not args.url.startswith(("http://", "https://")):
        raise UsageError(f"--url {args.url!r} must start with http:// or https://")
    with human_output_to_stderr(args.json):
        slo = load_thresholds(args.slo) if args.slo else SloThresholds()
        report = run_smoke(
            args.url.rstrip("/"), args.route, slo,
            window_seconds=args.window, min_requests=args.min_requests,
        )  # fmt: skip
        for check in report.checks:
            print(f"{'PASS' if check.ok else 'FAIL'} {check.name}: {check.detail}")
        for note in report.not_judged:
            print(f"NOT JUDGED {note}")
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(report.as_dict(), indent=2) + "\n")
        verdict = "healthy" if report.ok else "UNHEALTHY: roll back"
        print(f"{PROG}: {args.url} {verdict}", file=sys.stderr)
    code = ExitCode.OK if report.ok else ExitCode.FINDING
    if args.json:
        return print_envelope(PROG, code, outcomes=_outcomes(report), data=report.as_dict())
    return int(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `slipway-smoke`."""
    return run_cli(_main, argv, PROG, envelope=True)


if __name__ == "__main__":
    raise SystemExit(main())
