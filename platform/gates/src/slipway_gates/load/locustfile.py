"""The default locustfile: GET each path `slipway-gates load` names in turn (FastHttpUser).

Used when a service ships no `locustfile.py` of its own. FastHttpUser (geventhttpclient)
drives ~3x the rate of HttpUser per core, which matters on 2 shared cores.
"""

from __future__ import annotations

import os

from locust import FastHttpUser, constant_throughput, task

from slipway_gates.load.runner import USER_RPS_ENV, paths_from_env

PATHS = paths_from_env(os.environ)
# Requests per second per simulated user; 0 = as fast as possible.
RATE = float(os.environ.get(USER_RPS_ENV, "10"))


class ServiceUser(FastHttpUser):
    """One simulated client cycling through the configured paths."""

    wait_time = constant_throughput(RATE) if RATE > 0 else None  # type: ignore[assignment]

    @task
    def cycle(self) -> None:
        for path in PATHS:
            # Group by path so the CSV has one row per route plus the aggregate.
            self.client.get(path, name=path)
