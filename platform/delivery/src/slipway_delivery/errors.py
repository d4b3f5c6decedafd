"""Errors the delivery CLIs turn into a message and an exit code."""

from __future__ import annotations


class DeliveryError(Exception):
    """A failure with an actionable message; `exit_code` is what the CLI returns."""

    exit_code = 1


class UsageError(DeliveryError):
    """Bad input (a flag, a tag, a file): exit 2, like argparse."""

    exit_code = 2


class PromotionRefusedError(DeliveryError):
    """A promotion that the policy forbids: exit 3, so CI can tell it from a crash."""

    exit_code = 3
