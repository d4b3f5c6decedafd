"""Errors the delivery CLIs turn into a message and an exit code (CONTRACTS.md table)."""

from __future__ import annotations

from slipway_contract.exit_codes import ExitCode


class DeliveryError(Exception):
    """A failure with an actionable message; `exit_code` is what the CLI returns."""

    exit_code: ExitCode = ExitCode.FINDING
    command: str | None = None  # `prog subcommand`, once known (cli_support.naming_the_command)


class UsageError(DeliveryError):
    """Bad input (a flag, a tag, a file): exit 2, like argparse."""

    exit_code = ExitCode.USAGE


class PromotionRefusedError(DeliveryError):
    """A promotion that the policy forbids: exit 4 (needs a human: verify, approve or pick
    another digest), so CI can tell it from a failed step or a crash."""

    exit_code = ExitCode.NEEDS_HUMAN
