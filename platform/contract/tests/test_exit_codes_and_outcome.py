from __future__ import annotations

import pytest
from slipway_contract.exit_codes import ExitCode
from slipway_contract.outcome import Outcome, Status, exit_code_of


def test_the_table() -> None:
    assert [(int(c), c.meaning) for c in ExitCode] == [
        (0, "ok"),
        (1, "finding"),
        (2, "usage"),
        (3, "not run"),
        (4, "needs a human"),
    ]


@pytest.mark.parametrize(
    ("statuses", "ci", "expected"),
    [
        ([Status.PASSED], True, ExitCode.OK),
        ([Status.PASSED, Status.FAILED], False, ExitCode.FINDING),
        ([Status.ERROR], False, ExitCode.FINDING),
        ([Status.NOT_RUN], False, ExitCode.OK),
        ([Status.NOT_RUN], True, ExitCode.NOT_RUN),
        ([Status.NOT_RUN, Status.FAILED], True, ExitCode.FINDING),
        ([Status.KNOWN_GAP], True, ExitCode.OK),
    ],
)
def test_exit_code_of(statuses: list[Status], ci: bool, expected: ExitCode) -> None:
    outcomes = [Outcome(f"c{i}", s, "") for i, s in enumerate(statuses)]
    assert exit_code_of(outcomes, ci=ci) is expected


def test_not_run_has_one_spelling_and_a_loud_label() -> None:
    outcome = Outcome.not_run("checkov", "checkov is not installed")
    assert outcome.as_dict()["status"] == "not-run"
    assert outcome.status.label == "NOT RUN"
    assert Status.PASSED.label == "passed"
    assert Outcome.from_dict(outcome.as_dict()) == outcome
