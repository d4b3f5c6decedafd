"""`slipway-gates`: the one command line every noxfile calls (see README.md).

Each subcommand prints what it checked and exits with the contract's table
(CONTRACTS.md): 0 ok, 1 finding, 2 usage, 3 a check not run under CI=true.
`--json` prints one envelope on stdout instead (people's lines go to stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from slipway_contract.cli import (
    human_output_to_stderr,
    json_option,
    parse_or_envelope,
    print_envelope,
)
from slipway_contract.exit_codes import ExitCode

from slipway_gates.e2e import command as e2e_command
from slipway_gates.kind import command as kind_command
from slipway_gates.load import command as load_command
from slipway_gates.outcome import collect_reported, exit_code
from slipway_gates.security import checks, gate, secrets_scan

PROG = "slipway-gates"


def _security_parser(sub: argparse._SubParsersAction, name: str, what: str) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(name, help=what, parents=[json_option()])
    p.add_argument("--root", type=Path, default=Path(), help="directory to check (default: .)")
    if name == "security":
        checks.add_all_arguments(p)
    else:
        checks.by_name(name).arguments(p)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    _security_parser(sub, "security", "every security check below")
    for registered in checks.GATES:
        _security_parser(sub, registered.NAME, registered.HELP)

    load = sub.add_parser(
        "load",
        help="locust against the service, judged by slo.yaml `load:`",
        parents=[json_option()],
    )
    load_command.add_arguments(load)

    e2e = sub.add_parser(
        "e2e", help="end-to-end on Docker with real dependencies", parents=[json_option()]
    )
    e2e_command.add_arguments(e2e)

    kind = sub.add_parser(
        "e2e-kind",
        help="end-to-end on a kind cluster (plan only where kind cannot run)",
        parents=[json_option()],
    )
    kind_command.add_arguments(kind)
    return parser


def _run(args: argparse.Namespace) -> int:
    command: str = args.command
    if command == "load":
        return load_command.run(args)
    if command == "e2e":
        return e2e_command.run(args)
    if command == "e2e-kind":
        return kind_command.run(args)
    if getattr(args, "update_baseline", False):
        path = secrets_scan.update_baseline(args.root.resolve(), args.baseline)
        print(f"wrote {path}: review it (`detect-secrets audit {path}`) before committing")
        return ExitCode.OK
    args.root = args.root.resolve()
    if not args.root.is_dir():
        raise SystemExit(f"--root {args.root}: not a directory")
    return exit_code(gate.run(args, None if command == "security" else (command,)))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_or_envelope(_build_parser().parse_args, argv, PROG)
    try:
        with collect_reported() as outcomes, human_output_to_stderr(args.json):
            code = ExitCode(_run(args))
    except SystemExit as exc:
        if not isinstance(exc.code, str):
            raise
        # A subcommand refusing its input (`SystemExit("--flag ...: why")`, argparse's
        # habit) is a usage error: exit 2, not Python's 1 for a message.
        print(f"{PROG}: error: {exc.code}", file=sys.stderr)
        if args.json:
            return print_envelope(f"{PROG} {args.command}", ExitCode.USAGE, error=exc.code)
        return int(ExitCode.USAGE)
    if args.json:
        data = getattr(args, "envelope_data", None)  # what a subcommand produced beyond outcomes
        return print_envelope(f"{PROG} {args.command}", code, outcomes=outcomes, data=data)
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
