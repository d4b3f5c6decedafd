"""`slipway-smoke`: post-deploy health, key routes and SLO metrics; non-zero rolls back."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from slipway_delivery.cli_support import run_cli
from slipway_delivery.errors import UsageError
from slipway_delivery.slo_thresholds import SloThresholds, load_thresholds
from slipway_delivery.smoke import run_smoke


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="slipway-smoke", description=__doc__)
    parser.add_argument("--url", required=True, help="base URL of the deployed service")
    parser.add_argument(
        "--route", action="append", default=[],
        help="key route to exercise and judge (repeatable); without one only health is checked",
    )  # fmt: skip
    parser.add_argument("--slo", type=Path, help="the service's slo.yaml (objectives)")
    parser.add_argument("--window", type=float, default=10.0, help="seconds of traffic to judge")
    parser.add_argument("--min-requests", type=int, default=20)
    parser.add_argument("--json", type=Path, help="write the evidence here")
    return parser


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    if not args.url.startswith(("http://", "https://")):
        raise UsageError(f"--url {args.url!r} must start with http:// or https://")
    slo = load_thresholds(args.slo) if args.slo else SloThresholds()
    report = run_smoke(
        args.url.rstrip("/"), args.route, slo,
        window_seconds=args.window, min_requests=args.min_requests,
    )  # fmt: skip
    for check in report.checks:
        print(f"{'PASS' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    for note in report.not_judged:
        print(f"NOT JUDGED {note}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report.as_dict(), indent=2) + "\n")
    verdict = "healthy" if report.ok else "UNHEALTHY: roll back"
    print(f"slipway-smoke: {args.url} {verdict}", file=sys.stderr)
    return 0 if report.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `slipway-smoke`."""
    return run_cli(_main, argv, "slipway-smoke")


if __name__ == "__main__":
    raise SystemExit(main())
