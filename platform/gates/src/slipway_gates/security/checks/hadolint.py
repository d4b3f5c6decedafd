"""Gate: hadolint on every Dockerfile, with the repository's .hadolint.yaml."""

from __future__ import annotations

import argparse

from slipway_gates.outcome import CheckResult
from slipway_gates.security import hadolint

NAME = "hadolint"
HELP = "hadolint on every Dockerfile"


def arguments(parser: argparse.ArgumentParser) -> None:
    """No options beyond --root."""


def run(args: argparse.Namespace) -> list[CheckResult]:
    return [hadolint.run(args.root)]
