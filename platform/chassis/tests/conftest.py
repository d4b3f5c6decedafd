"""Shared fixtures for the chassis tests: a clean environment and fresh tracing per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chassis_testkit import CHASSIS_VARS
from slipway_chassis.testing import reset_tracing


@pytest.fixture(autouse=True)
def chassis_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """A minimal valid environment (dev profile) and a resettable tracer provider."""
    for name in CHASSIS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SERVICE_NAME", "orders-api")
    monkeypatch.setenv("APP_ENV", "dev")
    reset_tracing()
    yield monkeypatch
    reset_tracing()
