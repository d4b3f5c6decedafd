"""Judging locust statistics against the SLO spec's `load:` budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from slipway_gates.load.judge import LoadStats, StatsError, judge, read_final_stats, read_stats
from slipway_gates.outcome import Status
from slipway_observability.slo import LoadBudget

HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)
BUDGET = LoadBudget(p95_seconds=0.3, p99_seconds=1.0, max_error_ratio=0.001)


def _csv(tmp_path: Path, requests: int, failures: int, p95_ms: int, p99_ms: int) -> Path:
    row = (
        f",Aggregated,{requests},{failures},5,6,1,900,20,400.5,0,5,6,7,8,9,"
        f"{p95_ms},60,{p99_ms},800,900,900"
    )
    path = tmp_path / "locust_stats.csv"
    path.write_text(
        f"{HEADER}\nGET,/items,{requests},{failures},5,6,1,900,20,400.5,0,5,6,7,8,9,1,2,3,4,5,6\n{row}\n"
    )
    return path


def test_reads_the_aggregate_row_in_seconds(tmp_path: Path) -> None:
    stats = read_stats(_csv(tmp_path, 12000, 6, 250, 700))
    assert stats == LoadStats(
        requests=12000, failures=6, p95_seconds=0.25, p99_seconds=0.7, rps=400.5
    )
    assert stats.error_ratio == pytest.approx(0.0005)


def test_within_budget_passes_and_reports_the_figures(tmp_path: Path) -> None:
    result = judge(read_stats(_csv(tmp_path, 12000, 6, 250, 700)), BUDGET, "slo.yaml")
    assert result.status is Status.PASSED
    assert "p95 250 ms" in result.summary
    assert "p99 700 ms" in result.summary


@pytest.mark.parametrize(
    ("p95", "p99", "failures", "broken"),
    [
        (310, 700, 0, "p95 0.310s > load.p95_seconds 0.3s"),
        (250, 1100, 0, "p99 1.100s > load.p99_seconds 1s"),
        (250, 700, 13, "error ratio 0.1083% (13 failed) > load.max_error_ratio 0.001"),
    ],
)
def test_each_broken_threshold_fails_and_is_named(
    tmp_path: Path, p95: int, p99: int, failures: int, broken: str
) -> None:
    result = judge(read_stats(_csv(tmp_path, 12000, failures, p95, p99)), BUDGET, "slo.yaml")
    assert result.status is Status.FAILED
    assert result.findings == [broken]


def test_no_request_is_a_failure_not_a_pass(tmp_path: Path) -> None:
    result = judge(LoadStats(0, 0, 0, 0, 0), BUDGET, "slo.yaml")
    assert result.status is Status.FAILED


def test_missing_stats_file(tmp_path: Path) -> None:
    with pytest.raises(StatsError, match="was not written"):
        read_stats(tmp_path / "nope.csv")


def test_final_json_stats_are_aggregated_with_locusts_percentiles(tmp_path: Path) -> None:
    # Two routes; 100 requests in all over 10 s, response times bucketed in ms.
    entries = [
        {"name": "/items", "method": "GET", "num_requests": 60, "num_failures": 1,
         "start_time": 1000.0, "last_request_timestamp": 1010.0,
         "response_times": {"10": 50, "200": 9, "900": 1}},
        {"name": "/items", "method": "POST", "num_requests": 40, "num_failures": 0,
         "start_time": 1000.5, "last_request_timestamp": 1009.0,
         "response_times": {"20": 36, "250": 3, "400": 1}},
    ]  # fmt: skip
    path = tmp_path / "locust.json"
    path.write_text(json.dumps(entries))
    stats = read_final_stats(path)
    # Sorted: 50x10ms, 36x20ms, 9x200ms, 3x250ms, 1x400ms, 1x900ms -> p95 at the 95th: 200 ms.
    assert stats == LoadStats(requests=100, failures=1, p95_seconds=0.2, p99_seconds=0.4, rps=10.0)


def test_missing_final_json(tmp_path: Path) -> None:
    with pytest.raises(StatsError, match="was not written"):
        read_final_stats(tmp_path / "locust.json")
