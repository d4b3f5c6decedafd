"""The exit codes of every Slipway command line (CONTRACTS.md "Exit codes")."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a Slipway CLI's exit status means; the same table for every entry point."""

    OK = 0  # everything checked and clean / the action was done
    FINDING = 1  # a check found a problem, or a step failed
    USAGE = 2  # bad input: a flag, a file, a name (argparse uses 2 as well)
    NOT_RUN = 3  # something that had to be checked could not run (CI=true only)
    NEEDS_HUMAN = 4  # refused or stopped until a person decides (approval, conflict)

    @property
    def meaning(self) -> str:
        """The table's wording: `ok`, `finding`, `usage`, `not run`, `needs a human`."""
        return _MEANING[self]


_MEANING = {
    ExitCode.OK: "ok",
    ExitCode.FINDING: "finding",
    ExitCode.USAGE: "usage",
    ExitCode.NOT_RUN: "not run",
    ExitCode.NEEDS_HUMAN: "needs a human",
}
