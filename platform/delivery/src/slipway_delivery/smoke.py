"""Post-deploy smoke test: health endpoints, key routes, SLO metrics over a window.

The SLO judgement scrapes `/metrics` before and after a window of requests and
compares the *delta* of the chassis RED metrics (CONTRACTS.md): a service that
was already unhealthy before the deploy, or is unhealthy only now, is judged on
what it does during the window. No traffic in the window is a failure, never a
pass. Behind a load balancer with several replicas the two scrapes may hit
different pods: point `--url` at one pod (port-forward) for a strict check.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from slipway_contract import metrics, probes

from slipway_delivery.slo_thresholds import SloThresholds

HEALTH_PATHS = probes.HEALTH_PATHS  # /livez, /readyz, /startupz (CONTRACTS.md)
REQUESTS_TOTAL = metrics.HTTP_REQUESTS_TOTAL
DURATION = metrics.HTTP_REQUEST_DURATION_SECONDS


@dataclass(frozen=True)
class Check:
    """One smoke check and its verdict."""

    name: str
    ok: bool
    detail: str


@dataclass
class SmokeReport:
    """Every check, the window's numbers, and the overall verdict."""

    url: str
    checks: list[Check] = field(default_factory=list)
    window: dict[str, float] = field(default_factory=dict)
    not_judged: list[str] = field(default_factory=list)  # said out loud, never counted as passed

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "result": "passed" if self.ok else "failed",
            "checks": [asdict(c) for c in self.checks],
            "window": self.window,
            "not_judged": self.not_judged,
        }


@dataclass(frozen=True)
class RedSample:
    """Cumulative RED numbers from one scrape, health/metrics routes excluded."""

    requests: float
    errors: float  # status_class 5xx
    fast: float  # requests at or under the latency threshold (histogram bucket)
    timed: float  # histogram _count


def parse_red(
    text: str | bytes, threshold: float, skip_routes: Iterable[str] = HEALTH_PATHS
) -> RedSample:
    """Sum the chassis RED metrics in a Prometheus text exposition."""
    skip = set(skip_routes) | {probes.METRICS}
    requests = errors = fast = timed = 0.0
    if isinstance(text, bytes):
        text = text.decode()
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.labels.get("route") in skip:
                continue
            if s.name == REQUESTS_TOTAL:
                requests += s.value
                if s.labels.get("status_class") == "5xx":
                    errors += s.value
            elif s.name == f"{DURATION}_bucket" and float(s.labels["le"]) == threshold:
                fast += s.value
            elif s.name == f"{DURATION}_count":
                timed += s.value
    return RedSample(requests, errors, fast, timed)


def judge_window(before: RedSample, after: RedSample, slo: SloThresholds) -> list[Check]:
    """Availability and latency of the requests made between two scrapes."""
    total = after.requests - before.requests
    if total <= 0:
        return [
            Check(
                "slo-traffic",
                False,
                f"no requests counted in {REQUESTS_TOTAL} during the window: "
                "the metrics cannot vouch for this deploy",
            )
        ]
    errors = after.errors - before.errors
    error_ratio = errors / total
    budget = 1 - slo.availability_objective
    checks = [
        Check(
            "slo-availability",
            error_ratio <= budget,
            f"5xx ratio {error_ratio:.4f} ({errors:.0f}/{total:.0f}) vs allowed {budget:.4f} "
            f"(objective {slo.availability_objective})",
        )
    ]
    timed = after.timed - before.timed
    if timed <= 0:
        checks.append(Check("slo-latency", False, f"no observations in {DURATION} in the window"))
    else:
        share = (after.fast - before.fast) / timed
        checks.append(
            Check(
                "slo-latency",
                share >= slo.latency_objective,
                f"{share:.4f} of requests <= {slo.latency_threshold_seconds}s vs objective "
                f"{slo.latency_objective}",
            )
        )
    return checks


def _get(client: httpx.Client, path: str) -> tuple[int | None, str]:
    try:
        response = client.get(path)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return response.status_code, response.text[:200]


def _scrape(client: httpx.Client) -> bytes | str:
    """The /metrics body, or a message saying why there is none."""
    try:
        response = client.get(probes.METRICS)
    except httpx.HTTPError as exc:
        return f"{probes.METRICS} unreachable: {type(exc).__name__}: {exc}"
    if response.status_code != 200:
        return f"{probes.METRICS} answered {response.status_code} (expected 200, no redirect)"
    return response.content


def run_smoke(
    url: str,
    routes: list[str],
    slo: SloThresholds,
    *,
    window_seconds: float = 5.0,
    min_requests: int = 20,
    timeout: float = 5.0,
) -> SmokeReport:
    """Run every check against `url`; the report says what passed and what did not."""
    report = SmokeReport(url=url)
    with httpx.Client(base_url=url, timeout=timeout, follow_redirects=False) as client:
        for path in HEALTH_PATHS:
            status, body = _get(client, path)
            report.checks.append(Check(f"health {path}", status == 200, f"{status} {body}"))
        first = _scrape(client)
        if isinstance(first, str):
            report.checks.append(Check("metrics", False, first))
            return report
        before = parse_red(first, slo.latency_threshold_seconds)
        report.checks.append(Check("metrics", True, "/metrics answered 200"))
        if not routes:
            # A queue worker has no HTTP routes to exercise: health and metrics only.
            report.not_judged.append(
                "SLO window: no key route given (--route), so availability and latency "
                "were NOT judged"
            )
            return report

        targets = routes
        sent = 0
        deadline = time.monotonic() + window_seconds
        route_status: dict[str, list[int | None]] = {r: [] for r in targets}
        while targets and (sent < min_requests or time.monotonic() < deadline):
            for route in targets:
                route_status[route].append(_get(client, route)[0])
                sent += 1
        for route, statuses in route_status.items():
            good = sum(1 for s in statuses if s is not None and 200 <= s < 400)
            report.checks.append(
                Check(
                    f"route {route}",
                    good == len(statuses),
                    f"{good}/{len(statuses)} answered 2xx/3xx; others: "
                    f"{sorted({s for s in statuses if s is None or not 200 <= s < 400}, key=str)}",
                )
            )
        second = _scrape(client)
        if isinstance(second, str):
            report.checks.append(Check("metrics", False, second))
            return report
        after = parse_red(second, slo.latency_threshold_seconds)
        report.window = {
            "requests_sent": float(sent),
            "requests_counted": after.requests - before.requests,
            "errors_counted": after.errors - before.errors,
        }
        report.checks.extend(judge_window(before, after, slo))
    return report
