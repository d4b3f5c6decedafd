"""Read locust's CSV statistics and judge them against the SLO spec's `load:` budget."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from slipway_observability.slo import LoadBudget

from slipway_gates.outcome import CheckResult

NAME = "load"


@dataclass(frozen=True)
class LoadStats:
    """The aggregate row of `<prefix>_stats.csv` (locust reports milliseconds)."""

    requests: int
    failures: int
    p95_seconds: float
    p99_seconds: float
    rps: float

    @property
    def error_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


class StatsError(ValueError):
    """The stats file is missing or has no aggregate row."""


def read_final_stats(stats_json: Path) -> LoadStats:
    """Aggregate locust's `--json-file` (the final stats, written once at exit).

    Preferred over `_stats.csv`: the CSV is rewritten on a timer and, on a loaded
    machine, a short run can exit before the last rewrite (0 requests on disk
    while the console showed them). Percentiles follow locust's own method:
    the smallest bucketed response time covering the wanted share of requests.
    """
    if not stats_json.is_file():
        raise StatsError(f"{stats_json} was not written: did locust run?")
    entries = json.loads(stats_json.read_text())
    times: Counter[int] = Counter()
    requests = failures = 0
    start, last = float("inf"), 0.0
    for entry in entries:
        requests += int(entry["num_requests"])
        failures += int(entry["num_failures"])
        times.update({int(float(ms)): int(n) for ms, n in entry["response_times"].items()})
        start = min(start, float(entry.get("start_time") or start))
        last = max(last, float(entry.get("last_request_timestamp") or 0))

    def percentile(share: float) -> float:
        wanted, seen = requests * share, 0
        for ms in sorted(times):
            seen += times[ms]
            if seen >= wanted:
                return ms / 1000.0
        return 0.0

    elapsed = last - start if requests and last > start else 0.0
    return LoadStats(
        requests=requests,
        failures=failures,
        p95_seconds=percentile(0.95),
        p99_seconds=percentile(0.99),
        rps=requests / elapsed if elapsed else 0.0,
    )


def read_stats(stats_csv: Path) -> LoadStats:
    if not stats_csv.is_file():
        raise StatsError(f"{stats_csv} was not written: did locust run?")
    with stats_csv.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    aggregate = next((r for r in rows if r.get("Name") == "Aggregated"), None)
    if aggregate is None:
        raise StatsError(f"{stats_csv} has no 'Aggregated' row")

    def seconds(column: str) -> float:
        value = aggregate.get(column) or "0"
        return 0.0 if value == "N/A" else float(value) / 1000.0

    return LoadStats(
        requests=int(aggregate["Request Count"]),
        failures=int(aggregate["Failure Count"]),
        p95_seconds=seconds("95%"),
        p99_seconds=seconds("99%"),
        rps=float(aggregate.get("Requests/s") or 0),
    )


def judge(stats: LoadStats, budget: LoadBudget, source: str) -> CheckResult:
    """Fail when p95, p99 or the error ratio break the budget; no requests is a failure too."""
    measured = (
        f"{stats.requests} requests at {stats.rps:.0f}/s, p95 {stats.p95_seconds * 1000:.0f} ms, "
        f"p99 {stats.p99_seconds * 1000:.0f} ms, errors {stats.error_ratio:.4%}"
    )
    if stats.requests == 0:
        return CheckResult.failed(NAME, "locust sent no request", [measured])
    broken = []
    if stats.p95_seconds > budget.p95_seconds:
        broken.append(f"p95 {stats.p95_seconds:.3f}s > load.p95_seconds {budget.p95_seconds:g}s")
    if stats.p99_seconds > budget.p99_seconds:
        broken.append(f"p99 {stats.p99_seconds:.3f}s > load.p99_seconds {budget.p99_seconds:g}s")
    if stats.error_ratio > budget.max_error_ratio:
        broken.append(
            f"error ratio {stats.error_ratio:.4%} ({stats.failures} failed) > "
            f"load.max_error_ratio {budget.max_error_ratio:g}"
        )
    if broken:
        return CheckResult.failed(NAME, f"{measured}; breaks {source}", broken)
    return CheckResult.passed(
        NAME,
        f"{measured}; within {source} (p95<={budget.p95_seconds:g}s, "
        f"p99<={budget.p99_seconds:g}s, errors<={budget.max_error_ratio:g})",
    )
