"""Remaining error budgets from a Prometheus running the generated SLO rules.

`slipway-obs rules` records `slo:error_budget_remaining:ratio{service, slo}`
(platform/observability/src/slipway_observability/rules.py); the catalog reads
that series, so the page shows exactly what the alerts and dashboards use.
"""

from __future__ import annotations

import math

import httpx

from slipway_fleet.catalog.collect import ServiceEntry

BUDGET_REMAINING = "slo:error_budget_remaining:ratio"


class PrometheusError(RuntimeError):
    """Prometheus could not be asked; the message names the URL."""


def fill_budgets(entries: list[ServiceEntry], url: str, timeout: float = 10.0) -> None:
    """Set `budget_remaining` on every SLO Prometheus has a value for."""
    try:
        response = httpx.get(
            f"{url.rstrip('/')}/api/v1/query", params={"query": BUDGET_REMAINING}, timeout=timeout
        )
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise PrometheusError(f"--prometheus {url}: query failed ({exc})") from exc
    if body.get("status") != "success":
        raise PrometheusError(f"--prometheus {url}: {body.get('error', 'query failed')}")
    values: dict[tuple[str, str], float] = {}
    for sample in body["data"]["result"]:
        value = float(sample["value"][1])
        if not math.isnan(value):
            values[sample["metric"].get("service", ""), sample["metric"].get("slo", "")] = value
    for entry in entries:
        for slo in entry.slos:
            slo.budget_remaining = values.get((entry.name, slo.name))
