"""Run locust headless as a subprocess and say where its reports are.

A subprocess, not the library: locust monkey-patches the interpreter with gevent
on import, which must never happen inside nox's or pytest's process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from slipway_contract import probes

# How run_locust hands the plan to the default locustfile (its own interpreter).
PATHS_ENV = "SLIPWAY_LOAD_PATHS"  # comma-separated
USER_RPS_ENV = "SLIPWAY_LOAD_USER_RPS"

_DURATION = re.compile(r"^\d+[smh]?$|^(\d+h)?(\d+m)?(\d+s)?$")


@dataclass(frozen=True)
class LoadPlan:
    host: str
    users: int = 20
    spawn_rate: float = 10.0
    duration: str = "30s"
    paths: tuple[str, ...] = (probes.LIVEZ,)
    locustfile: Path | None = None
    user_rps: float = 10.0

    def __post_init__(self) -> None:
        if self.users < 1:
            raise ValueError(f"--users must be at least 1, got {self.users}")
        if self.spawn_rate <= 0:
            raise ValueError(f"--spawn-rate must be positive, got {self.spawn_rate}")
        if not self.duration or not _DURATION.match(self.duration):
            raise ValueError(f"--duration must look like 30s, 2m or 1m30s, got {self.duration!r}")
        if not self.host.startswith(("http://", "https://")):
            raise ValueError(f"--host must be an http(s) URL, got {self.host!r}")


@dataclass(frozen=True)
class Reports:
    stats_csv: Path
    html: Path
    prefix: Path
    final_json: Path

    def describe(self) -> str:
        return (
            f"CSV: {self.prefix}_*.csv (stats: {self.stats_csv})\n"
            f"      HTML: {self.html}\n      JSON (final stats, judged): {self.final_json}"
        )


def paths_from_env(environ: Mapping[str, str]) -> list[str]:
    """The paths the default locustfile requests: PATHS_ENV, else the liveness probe
    (a locustfile run by hand, without `slipway-gates load`)."""
    return [p.strip() for p in environ.get(PATHS_ENV, probes.LIVEZ).split(",") if p.strip()]


def default_locustfile() -> Path:
    return Path(str(resources.files("slipway_gates.load").joinpath("locustfile.py")))


def run_locust(plan: LoadPlan, reports_dir: Path) -> tuple[int, Reports]:
    """Run locust; returns its exit code and the report paths (written even on failure)."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    prefix = reports_dir / "locust"
    reports = Reports(
        Path(f"{prefix}_stats.csv"),
        reports_dir / "locust.html",
        prefix,
        reports_dir / "locust.json",
    )
    env = {
        **os.environ,
        PATHS_ENV: ",".join(plan.paths),
        USER_RPS_ENV: str(plan.user_rps),
    }
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(plan.locustfile or default_locustfile()),
        "--headless",
        "--host",
        plan.host,
        "--users",
        str(plan.users),
        "--spawn-rate",
        str(plan.spawn_rate),
        "--run-time",
        plan.duration,
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--html",
        str(reports.html),
        "--json-file",
        str(reports.final_json.with_suffix("")),  # locust appends ".json"
        "--only-summary",
        "--loglevel",
        "WARNING",
        # Our judge decides pass/fail from the SLO; locust's own exit code only
        # signals that it could not run.
        "--exit-code-on-error",
        "0",
    ]
    print(
        f"locust: {plan.users} users, spawn {plan.spawn_rate}/s, "
        f"{plan.duration} against {plan.host}"
    )
    proc = subprocess.run(cmd, env=env, check=False)
    return proc.returncode, reports
