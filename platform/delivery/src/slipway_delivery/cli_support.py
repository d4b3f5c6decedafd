"""Shared CLI plumbing: turn DeliveryError into `error: ...` on stderr and its exit code."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence

from slipway_contract.cli import print_envelope, wants_json

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


def key_values(pairs: Sequence[str], flag: str) -> dict[str, str]:
    """`KEY=VALUE` strings to a dict; UsageError naming the flag otherwise."""
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"{flag} {pair!r} must look like KEY=VALUE")
        result[key] = value
    return result
