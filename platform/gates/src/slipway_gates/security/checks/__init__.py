"""The security gate registry: one module per check, listed once, cheapest first.

Each module exports:
- `NAME`: the subcommand (`slipway-gates NAME`) and its name in `security`;
- `HELP`: one line for `--help`;
- `arguments(parser)`: the options it reads, beyond `--root` and `--json`;
- `run(args) -> Iterable[CheckResult]`: the check itself, on the parsed options
  (a generator may yield each result as soon as it is known).

Adding a gate is one module here and one line in GATES.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Protocol

from slipway_gates.outcome import CheckResult
from slipway_gates.security.checks import checkov, hadolint, licences, sast, secrets, vulns


class SecurityGate(Protocol):
    """What a check module exports (a module satisfies this protocol)."""

    NAME: str
    HELP: str

    def arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> Iterable[CheckResult]: ...


GATES: tuple[SecurityGate, ...] = (hadolint, sast, vulns, licences, secrets, checkov)


def names() -> tuple[str, ...]:
    """Every registered check's NAME, in the order `security` runs them."""
    return tuple(g.NAME for g in GATES)


def by_name(name: str) -> SecurityGate:
    """The module of one check; ValueError naming the registered ones otherwise."""
    for gate in GATES:
        if name == gate.NAME:
            return gate
    raise ValueError(f"unknown security check {name!r}; choose from {', '.join(names())}")


def add_all_arguments(parser: argparse.ArgumentParser) -> None:
    """Every check's options on one parser (the `security` subcommand)."""
    for gate in GATES:
        gate.arguments(parser)
