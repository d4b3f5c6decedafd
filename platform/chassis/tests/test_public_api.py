"""The public API is a contract with every service: pin it."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import slipway_chassis
from slipway_chassis import DURATION_BUCKETS, testing

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


def test_no_public_module_but_testing() -> None:
    """Implementation modules are `_`-prefixed, so a service cannot come to depend on one.

    A new module without the underscore is a new public API: add it here on purpose.
    """
    modules = {m.name for m in pkgutil.iter_modules(slipway_chassis.__path__)}
    assert {m for m in modules if not m.startswith("_")} == {"testing"}
    assert len(modules) > 1, "found no implementation modules: the walk looks in the wrong place"


def test_testing_module_api() -> None:
    assert {"OTLPReceiver", "app_client", "capture_logs", "metric_value"} <= set(testing.__all__)


def test_duration_buckets_equal_contracts_md() -> None:
    text = CONTRACTS.read_text()
    match = re.search(r"Duration histogram buckets.*?`([0-9. ]+)`", text, re.DOTALL)
    assert match, "CONTRACTS.md lost its bucket list"
    contract = [float(v) for v in match.group(1).split()]
    assert contract == DURATION_BUCKETS
    assert sorted(DURATION_BUCKETS) == DURATION_BUCKETS
