"""The deployment environments, in promotion order (CONTRACTS.md "Environments")."""

from __future__ import annotations

ENVIRONMENTS: tuple[str, ...] = ("dev", "qa", "stage", "prod")


def check_environment(env: str) -> str:
    """`env` if it is one of ENVIRONMENTS; a ValueError naming the legal ones otherwise."""
    if env not in ENVIRONMENTS:
        raise ValueError(f"unknown environment {env!r}: choose one of {', '.join(ENVIRONMENTS)}")
    return env
