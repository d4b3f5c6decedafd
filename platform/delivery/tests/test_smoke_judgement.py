"""SLO judgement of a metrics window, on synthetic Prometheus text."""

from __future__ import annotations

from pathlib import Path

import pytest
from slipway_delivery.errors import UsageError
from slipway_delivery.slo_thresholds import SloThresholds, load_thresholds
from slipway_delivery.smoke import RedSample, judge_window, parse_red

SLO = SloThresholds(
    availability_objective=0.99, latency_objective=0.9, latency_threshold_seconds=0.3
)


def exposition(ok: int, errors: int, fast: int, health: int = 7) -> str:
    total = ok + errors
    return f"""# TYPE http_server_requests_total counter
http_server_requests_total{{method="GET",route="/items",status_class="2xx"}} {ok}
http_server_requests_total{{method="GET",route="/items",status_class="5xx"}} {errors}
http_server_requests_total{{method="GET",route="/livez",status_class="2xx"}} {health}
# TYPE http_server_request_duration_seconds histogram
http_server_request_duration_seconds_bucket{{method="GET",route="/items",le="0.25"}} {fast}
http_server_request_duration_seconds_bucket{{method="GET",route="/items",le="0.3"}} {fast}
http_server_request_duration_seconds_bucket{{method="GET",route="/items",le="+Inf"}} {total}
http_server_request_duration_seconds_count{{method="GET",route="/items"}} {total}
http_server_request_duration_seconds_sum{{method="GET",route="/items"}} 1.0
"""


def test_parse_red_skips_health_routes() -> None:
    assert parse_red(exposition(90, 10, 95), 0.3) == RedSample(100, 10, 95, 100)


def test_healthy_window_passes_on_the_delta_only() -> None:
    # 50 errors happened BEFORE the window; during it, 1000 clean fast requests.
    before = parse_red(exposition(100, 50, 100), 0.3)
    after = parse_red(exposition(1100, 50, 1100), 0.3)
    assert all(c.ok for c in judge_window(before, after, SLO))


def test_error_burst_in_window_fails_availability() -> None:
    before = parse_red(exposition(100, 0, 100), 0.3)
    after = parse_red(exposition(190, 10, 200), 0.3)
    checks = {c.name: c for c in judge_window(before, after, SLO)}
    assert not checks["slo-availability"].ok
    assert "5xx ratio 0.1000 (10/100)" in checks["slo-availability"].detail
    assert checks["slo-latency"].ok


def test_slow_window_fails_latency() -> None:
    before = parse_red(exposition(0, 0, 0), 0.3)
    after = parse_red(exposition(100, 0, 50), 0.3)
    checks = {c.name: c for c in judge_window(before, after, SLO)}
    assert not checks["slo-latency"].ok


def test_no_traffic_is_never_a_pass() -> None:
    same = parse_red(exposition(5, 0, 5), 0.3)
    (check,) = judge_window(same, same, SLO)
    assert not check.ok
    assert "no requests counted" in check.detail


def test_slo_file_thresholds(tmp_path: Path) -> None:
    slo = tmp_path / "slo.yaml"
    slo.write_text(
        "service: orders-api\nslos:\n  availability: {objective: 0.995}\n"
        "  latency: {objective: 0.95, threshold_seconds: 0.25}\n"
    )
    assert load_thresholds(slo) == SloThresholds(0.995, 0.95, 0.25)
    slo.write_text("slos:\n  latency: {objective: 0.95, threshold_seconds: 0.33}\n")
    with pytest.raises(UsageError, match=r"threshold_seconds 0.33 must be one of the chassis"):
        load_thresholds(slo)
    slo.write_text("slos:\n  availability: {objective: high}\n")
    with pytest.raises(UsageError, match=r"slos.availability.objective must be a number"):
        load_thresholds(slo)
