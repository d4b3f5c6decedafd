"""Load test of orders-api: `nox -s load` (locust, headless, FastHttpUser).

Pass/fail comes from slo.yaml's `load:` block (p95, p99, error ratio), the same
thresholds the SLO alerts and rollout analysis use: when a run breaks one,
locust exits non-zero and says which.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from locust import FastHttpUser, between, events, task

SLO_FILE = Path(os.environ.get("SLO_FILE", Path(__file__).with_name("slo.yaml")))
LIMITS: dict[str, float] = yaml.safe_load(SLO_FILE.read_text())["load"]


class ServiceUser(FastHttpUser):
    """A client using the example endpoint the way a real one would."""

    wait_time = between(0.05, 0.2)

    @task(3)
    def create_and_read(self) -> None:
        created = self.client.post(
            "/items", json={"name": "load mug", "quantity": 1, "unit_price": "3.20"}
        )
        if created.status_code == 201:
            self.client.get(f"/items/{created.json()['id']}", name="/items/{item_id}")

    @task(1)
    def list_items(self) -> None:
        self.client.get("/items?limit=20", name="/items")


def breaches(total: Any, limits: dict[str, float]) -> list[str]:
    """The SLO load limits a run's aggregate stats break (empty when it passed)."""
    found = []
    for quantile, key in ((0.95, "p95_seconds"), (0.99, "p99_seconds")):
        seconds = total.get_response_time_percentile(quantile) / 1000
        if seconds > limits[key]:
            found.append(f"p{int(quantile * 100)} {seconds:.3f}s > {key} {limits[key]}s")
    if total.fail_ratio > limits["max_error_ratio"]:
        limit = limits["max_error_ratio"]
        found.append(f"error ratio {total.fail_ratio:.4f} > max_error_ratio {limit}")
    return found


@events.quitting.add_listener
def _judge(environment: Any, **_kwargs: Any) -> None:
    problems = breaches(environment.stats.total, LIMITS)
    for problem in problems:
        print(f"SLO load threshold broken ({SLO_FILE}): {problem}")
    if problems:
        environment.process_exit_code = 1
