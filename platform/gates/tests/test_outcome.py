"""Outcomes: NOT RUN fails only under CI (exit 3); declared gaps are strict."""

from __future__ import annotations

import pytest
from slipway_gates.outcome import CheckResult, Status, apply_known_gaps, exit_code, print_result


def test_not_run_fails_in_ci_only() -> None:
    results = [CheckResult.passed("a", "ok"), CheckResult.not_run("b", "no tool")]
    assert exit_code(results, ci=False) == 0
    assert exit_code(results, ci=True) == 3  # CONTRACTS.md: 3 not run


def test_a_failure_always_fails() -> None:
    assert exit_code([CheckResult.failed("a", "bad", ["x"])], ci=False) == 1


def test_declared_gap_turns_its_failure_into_a_known_gap() -> None:
    failed = CheckResult.failed("e2e: outage opens the circuit", "no breaker", ["x"])
    gapped = apply_known_gaps(failed, {"circuit": "template has no DB breaker yet"})
    assert gapped.status is Status.KNOWN_GAP
    assert "template has no DB breaker yet" in gapped.summary
    assert exit_code([gapped], ci=True) == 0


def test_not_run_prints_loudly(capsys: pytest.CaptureFixture[str]) -> None:
    print_result(CheckResult.not_run("checkov", "checkov is not installed"))
    assert capsys.readouterr().out.startswith("[  NOT RUN] checkov: NOT checked:")


def test_a_declared_gap_that_passes_fails_so_the_declaration_goes() -> None:
    passed = CheckResult.passed("e2e: outage opens the circuit", "open then closed")
    result = apply_known_gaps(passed, {"circuit": "why"})
    assert result.status is Status.FAILED
    assert "remove --known-gap circuit" in result.summary


def test_undeclared_checks_are_untouched() -> None:
    failed = CheckResult.failed("e2e: probes", "bad", [])
    assert apply_known_gaps(failed, {"circuit": "why"}) is failed
