"""Fixtures shared by the observability tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from obs_process_helpers import Webhook
from slipway_observability.slo import SLOSpec, load_spec

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def api_spec() -> SLOSpec:
    return load_spec(EXAMPLES / "orders-api.slo.yaml")


@pytest.fixture
def worker_spec() -> SLOSpec:
    return load_spec(EXAMPLES / "orders-worker.slo.yaml")


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with Webhook() as hook:
        yield hook
