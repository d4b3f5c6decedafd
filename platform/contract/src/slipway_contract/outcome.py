"""One result type for every check any Slipway tool runs.

A check has more than two outcomes: `passed`, `failed`, `not-run` (a tool or
data source was missing), `known-gap` (a declared, tracked failure) and `error`
(the checker itself crashed). `not-run` is reported loudly and fails under
CI=true, because a gate that silently checks nothing is worse than no gate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from slipway_contract.ci import in_ci
from slipway_contract.exit_codes import ExitCode


class Status(Enum):
    """The value is the one spelling used in JSON; `label` is how a log line shows it."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not-run"
    KNOWN_GAP = "known-gap"
    ERROR = "error"

    @property
    def label(self) -> str:
        """Upper case for what was NOT a pass so it stands out: `NOT RUN`, `KNOWN GAP`."""
        if self in (Status.NOT_RUN, Status.KNOWN_GAP):
            return str(self.value).replace("-", " ").upper()
        return str(self.value)


@dataclass
class Outcome:
    """One check: its name, status, a one-line summary and the findings behind it."""

    name: str
    status: Status
    summary: str
    findings: list[str] = field(default_factory=list)

    @classmethod
    def passed(cls, name: str, summary: str) -> Outcome:
        return cls(name, Status.PASSED, summary)

    @classmethod
    def failed(cls, name: str, summary: str, findings: list[str]) -> Outcome:
        return cls(name, Status.FAILED, summary, findings)

    @classmethod
    def not_run(cls, name: str, reason: str) -> Outcome:
        return cls(name, Status.NOT_RUN, f"NOT checked: {reason}")

    @classmethod
    def error(cls, name: str, summary: str) -> Outcome:
        return cls(name, Status.ERROR, summary)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "summary": self.summary,
            "findings": list(self.findings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        """The inverse of `as_dict` (a `--json` envelope's `outcomes` entries)."""
        return cls(
            str(data["name"]),
            Status(data["status"]),
            str(data.get("summary", "")),
            [str(f) for f in data.get("findings", [])],
        )


def exit_code_of(outcomes: Iterable[Outcome], *, ci: bool | None = None) -> ExitCode:
    """FINDING on a failure or error; NOT_RUN for a check not run under CI; else OK.

    Locally a check not run is a warning, not a failure (the CI policy).
    """
    ci = in_ci() if ci is None else ci
    statuses = {o.status for o in outcomes}
    if statuses & {Status.FAILED, Status.ERROR}:
        return ExitCode.FINDING
    if ci and Status.NOT_RUN in statuses:
        return ExitCode.NOT_RUN
    return ExitCode.OK
