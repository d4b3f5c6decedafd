"""How the gates report their checks: one line per outcome, one exit code per run.

The result type is slipway_contract's `Outcome` (here under its old name,
`CheckResult`): `passed`, `failed`, `not-run`, `known-gap`, `error`. A check not
run is reported loudly and fails under CI=true (exit 3), because a gate that
silently checks nothing is worse than no gate.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from contextvars import ContextVar

from slipway_contract.ci import in_ci
from slipway_contract.exit_codes import ExitCode
from slipway_contract.outcome import Outcome, Status, exit_code_of

CheckResult = Outcome  # every gate module builds these

__all__ = [
    "CheckResult",
    "Status",
    "apply_known_gaps",
    "collect_reported",
    "exit_code",
    "in_ci",
    "print_result",
]

# The outcomes printed during one CLI run, for its --json envelope: every command
# reports through print_result, so what a person reads and what JSON says agree.
_REPORTED: ContextVar[list[CheckResult] | None] = ContextVar("slipway_gates_reported", default=None)


@contextlib.contextmanager
def collect_reported() -> Iterator[list[CheckResult]]:
    """Collect every outcome print_result reports while the block runs."""
    reported: list[CheckResult] = []
    token = _REPORTED.set(reported)
    try:
        yield reported
    finally:
        _REPORTED.reset(token)


def apply_known_gaps(result: CheckResult, gaps: dict[str, str]) -> CheckResult:
    """Declared gaps (key -> reason) turn a matching failure into KNOWN GAP.

    Strict, like pytest's xfail(strict=True): a declared gap whose check now passes
    FAILS, so the declaration is removed as soon as the gap is closed.
    """
    key = next((k for k in gaps if k in result.name), None)
    if key is None:
        return result
    if result.status is Status.FAILED:
        return CheckResult(
            result.name,
            Status.KNOWN_GAP,
            f"{result.summary} [declared gap: {gaps[key]}]",
            result.findings,
        )
    if result.status is Status.PASSED:
        return CheckResult.failed(
            result.name, f"declared gap {key!r} is closed: remove --known-gap {key}", []
        )
    return result


def print_result(result: CheckResult) -> None:
    """One line per check, then its findings indented below it."""
    print(f"[{result.status.label:>9}] {result.name}: {result.summary}", flush=True)
    for finding in result.findings:
        print(f"          - {finding}", flush=True)
    if (reported := _REPORTED.get()) is not None:
        reported.append(result)


def exit_code(results: list[CheckResult], *, ci: bool | None = None) -> ExitCode:
    """OK when every check passed; FINDING on a failure; NOT_RUN for a check not run in CI."""
    ci = in_ci() if ci is None else ci
    for r in results:
        if r.status is Status.KNOWN_GAP:
            print(f"WARNING: KNOWN GAP, not passed: {r.name}", file=sys.stderr, flush=True)
        if r.status is Status.NOT_RUN:
            where = "CI=true: failing" if ci else "skipped locally; CI will fail on this"
            print(f"WARNING: {r.name} was NOT run ({where})", file=sys.stderr, flush=True)
    return exit_code_of(results, ci=ci)
