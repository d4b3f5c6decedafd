"""`slipway-gates security`: every registered check, cheapest first, one summary."""

from __future__ import annotations

import argparse
import time

from slipway_gates.outcome import CheckResult, print_result
from slipway_gates.security import checks


def run(args: argparse.Namespace, only: tuple[str, ...] | None = None) -> list[CheckResult]:
    """Run the selected checks (default: all), printing each result as soon as it is known."""
    results: list[CheckResult] = []
    for name in checks.names() if only is None else only:
        gate = checks.by_name(name)
        started = time.monotonic()
        for item in gate.run(args):
            item.summary += f" [{time.monotonic() - started:.0f}s]"
            print_result(item)
            results.append(item)
            started = time.monotonic()
    return results
