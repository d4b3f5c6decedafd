"""Shared CLI plumbing: turn DeliveryError into `error: ...` on stderr and its exit code."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from slipway_delivery.errors import DeliveryError, UsageError


def run_cli(
    main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None, prog: str
) -> int:
    """Call `main`; a DeliveryError becomes a one-paragraph message, never a traceback."""
    try:
        return main(argv)
    except DeliveryError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exc.exit_code


def key_values(pairs: Sequence[str], flag: str) -> dict[str, str]:
    """`KEY=VALUE` strings to a dict; UsageError naming the flag otherwise."""
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"{flag} {pair!r} must look like KEY=VALUE")
        result[key] = value
    return result
