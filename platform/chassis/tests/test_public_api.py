"""The public API is a contract with every service: pin it."""

from __future__ import annotations

import re
from pathlib import Path

import slipway_chassis
from slipway_chassis import testing
from slipway_chassis.metrics import DURATION_BUCKETS

CONTRACTS = Path(__file__).parents[2] / "CONTRACTS.md"

EXPECTED = [
    "DURATION_BUCKETS",
    "PROBLEM_JSON",
    "CircuitOpenError",
    "DependencyCircuit",
    "DependencyUnavailableError",
    "Environment",
    "FeatureFlags",
    "HealthCheck",
    "HealthState",
    "Problem",
    "ServiceSettings",
    "SettingsError",
    "WorkerContext",
    "configure_logging",
    "create_app",
    "create_worker_app",
    "dependency_breaker",
    "get_logger",
    "problem_responses",
    "resilient_client",
    "run_worker",
    "serve",
]


def test_all_is_sorted_and_pinned() -> None:
    assert slipway_chassis.__all__ == EXPECTED
    # Order: ruff RUF022 ("isort-style": SCREAMING_CASE, CamelCase, then the rest).
    for name in EXPECTED:
        assert getattr(slipway_chassis, name) is not None


def test_testing_module_api() -> None:
    assert {"OTLPReceiver", "app_client", "capture_logs", "metric_value"} <= set(testing.__all__)


def test_duration_buckets_equal_contracts_md() -> None:
    text = CONTRACTS.read_text()
    match = re.search(r"Duration histogram buckets.*?`([0-9. ]+)`", text, re.DOTALL)
    assert match, "CONTRACTS.md lost its bucket list"
    contract = [float(v) for v in match.group(1).split()]
    assert contract == DURATION_BUCKETS
    assert sorted(DURATION_BUCKETS) == DURATION_BUCKETS
