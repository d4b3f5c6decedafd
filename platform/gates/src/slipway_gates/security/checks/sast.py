"""Gate: bandit and ruff's S rules over the Python sources."""

from __future__ import annotations

import argparse

from slipway_gates.outcome import CheckResult
from slipway_gates.security import sast

NAME = "sast"
HELP = "bandit and ruff S rules"


def arguments(parser: argparse.ArgumentParser) -> None:
    """No options beyond --root."""


def run(args: argparse.Namespace) -> list[CheckResult]:
    return sast.run(args.root)
