"""Shared CLI plumbing: turn DeliveryError into `error: ...` on stderr and its exit code."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from slipway_contract.cli import (
    human_output_to_stderr,
    parse_or_envelope,
    print_envelope,
    wants_json,
)
from slipway_contract.exit_codes import ExitCode

from slipway_delivery.errors import DeliveryError, UsageError


def run_cli(
    main: Callable[[Sequence[str] | None], int],
    argv: Sequence[str] | None,
    prog: str,
    *,
    envelope: bool = False,
) -> int:
    """Call `main`; a DeliveryError becomes a one-paragraph message, never a traceback.

    `envelope`: this CLI follows the `--json` convention, so under `--json` the
    error is also the one JSON envelope on stdout.
    """
    try:
        return main(argv)
    except DeliveryError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        if envelope and wants_json(argv):
            print_envelope(exc.command or prog, exc.exit_code, error=str(exc))
        return int(exc.exit_code)


@contextlib.contextmanager
def naming_the_command(command: str) -> Iterator[None]:
    """A DeliveryError raised inside names `command` (`slipway-gitops promote`) for the
    error envelope, as the success envelope does."""
    try:
        yield
    except DeliveryError as exc:
        exc.command = command
        raise


def run_subcommand(
    prog: str,
    parser: argparse.ArgumentParser,
    run: Callable[[argparse.Namespace], tuple[ExitCode, Any]],
    argv: Sequence[str] | None,
) -> int:
    """Parse, run the subcommand with a person's lines on stderr under `--json`, then
    print the one envelope (`run` returns the exit code and the envelope's data)."""
    args = parse_or_envelope(parser.parse_args, argv, prog)
    command = f"{prog} {args.command}"
    with naming_the_command(command), human_output_to_stderr(args.json):
        code, data = run(args)
    if args.json:
        return print_envelope(command, code, data=data)
    return int(code)


def key_values(pairs: Sequence[str], flag: str) -> dict[str, str]:
    """`KEY=VALUE` strings to a dict; UsageError naming the flag otherwise."""
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"{flag} {pair!r} must look like KEY=VALUE")
        result[key] = value
    return result
