"""pytest fixtures for tests/terraform (implementation in terraform_harness.py)."""

from __future__ import annotations

from terraform_harness import terraform

__all__ = ["terraform"]
