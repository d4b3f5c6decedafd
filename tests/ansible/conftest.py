"""pytest fixtures for tests/ansible (implementation in ansible_harness.py)."""

from __future__ import annotations

from ansible_harness import bastion

__all__ = ["bastion"]
