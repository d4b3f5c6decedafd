"""SLO spec -> Prometheus recording and alerting rules.

Per SLO, two groups: the error ratio recorded over every window
(`slo:sli_error:ratio_rate5m` ... `ratio_rate3d`, plus the SLO window and the
remaining error budget), then two alerts (page and ticket), each OR-ing its two
multi-window burn-rate conditions. Series carry `service` and `slo` labels so a
dashboard or an alert selects one SLO with `{service="x", slo="latency"}`.
"""

from __future__ import annotations

from typing import Any

from slipway_contract import metrics

from slipway_observability.buckets import le_label
from slipway_observability.slo import LatencySLO, QueueBacklogSLO, SLOSpec
from slipway_observability.windows import RECORDING_WINDOWS, SEVERITIES, AlertSeverity

Rule = dict[str, Any]
Group = dict[str, Any]

ERROR_RATIO = "slo:sli_error:ratio_rate{window}"
QUEUE_BAD = "slo:queue_backlog_bad:bool"
OBJECTIVE = "slo:objective:ratio"
BUDGET_REMAINING = "slo:error_budget_remaining:ratio"

_TITLES = {"availability": "Availability", "latency": "Latency", "queue_backlog": "QueueBacklog"}


def num(value: float) -> str:
    """A float as PromQL writes it, without binary noise (1 - 0.999 -> 0.001)."""
    return f"{value:.10g}"


def alert_name(slo: str, severity: AlertSeverity) -> str:
    """E.g. AvailabilityBudgetFastBurn: stable, service-independent alert names."""
    return f"{_TITLES[slo]}Budget{severity.name}"


def _selector(spec: SLOSpec, **extra: str) -> str:
    pairs = {"service": spec.service, **extra}
    return "{" + ",".join(f'{k}="{v}"' for k, v in pairs.items()) + "}"


def sli_error_expr(spec: SLOSpec, slo: str, window: str) -> str:
    """PromQL for the ratio of bad events over `window` for one SLI."""
    if slo == "availability":
        requests = metrics.HTTP_REQUESTS_TOTAL
        errors = f"{requests}{_selector(spec, status_class='5xx')}"
        total = f"{requests}{_selector(spec)}"
        # `or vector(0)`: with traffic but no 5xx series yet the ratio is 0, not absent.
        # `> 0` on the denominator: an idle window gives no sample instead of NaN (0/0),
        # so alerts stay silent and NaN never poisons the SLO-window average.
        return (
            f"(sum(rate({errors}[{window}])) or vector(0))\n/\n(sum(rate({total}[{window}])) > 0)"
        )
    if slo == "latency":
        latency = spec.slos.latency
        assert isinstance(latency, LatencySLO)  # noqa: S101 - narrowed by enabled()
        hist = metrics.HTTP_REQUEST_DURATION_SECONDS
        fast = f"{hist}_bucket{_selector(spec, le=le_label(latency.threshold_seconds))}"
        total = f"{hist}_count{_selector(spec)}"
        return f"1 - (\n  sum(rate({fast}[{window}]))\n  /\n  (sum(rate({total}[{window}])) > 0)\n)"
    if slo == "queue_backlog":
        # Time-based SLI: fraction of evaluations that saw a too-old message.
        return f"avg_over_time({QUEUE_BAD}{_selector(spec, slo=slo)}[{window}])"
    raise ValueError(f"unknown SLI {slo!r}")


def _labels(spec: SLOSpec, slo: str) -> dict[str, str]:
    return {"service": spec.service, "slo": slo}


def recording_group(spec: SLOSpec, slo: str) -> Group:
    """Error ratios for every window, the objective and the remaining budget."""
    objective = spec.enabled()[slo].objective
    budget = num(1 - objective)
    labels = _labels(spec, slo)
    rules: list[Rule] = []
    if slo == "queue_backlog":
        backlog = spec.slos.queue_backlog
        assert isinstance(backlog, QueueBacklogSLO)  # noqa: S101
        age = f"{metrics.QUEUE_OLDEST_MESSAGE_AGE_SECONDS}{_selector(spec)}"
        rules.append(
            {
                "record": QUEUE_BAD,
                "expr": f"max({age}) > bool {num(backlog.max_age_seconds)}",
                "labels": labels,
            }
        )
    for window in RECORDING_WINDOWS:
        rules.append(
            {
                "record": ERROR_RATIO.format(window=window),
                "expr": sli_error_expr(spec, slo, window),
                "labels": labels,
            }
        )
    period = ERROR_RATIO.format(window=spec.window)
    five_min = ERROR_RATIO.format(window="5m") + _selector(spec, slo=slo)
    rules += [
        # The SLO window is too long for a raw rate(): average the 5m ratio instead.
        {"record": period, "expr": f"avg_over_time({five_min}[{spec.window}])", "labels": labels},
        {"record": OBJECTIVE, "expr": f"vector({num(objective)})", "labels": labels},
        {
            "record": BUDGET_REMAINING,
            "expr": f"1 - ({period}{_selector(spec, slo=slo)} / {budget})",
            "labels": labels,
        },
    ]
    return {"name": f"slo-{spec.service}-{slo}-recordings", "rules": rules}


def alert_rule(spec: SLOSpec, slo: str, severity: AlertSeverity) -> Rule:
    """One alert: any of the severity's window pairs over its burn-rate threshold."""
    objective = spec.enabled()[slo].objective
    budget = num(1 - objective)
    sel = _selector(spec, slo=slo)
    conditions = []
    for pair in severity.windows:
        threshold = f"({num(pair.factor)} * {budget})"
        long_ = f"{ERROR_RATIO.format(window=pair.long)}{sel} > {threshold}"
        short = f"{ERROR_RATIO.format(window=pair.short)}{sel} > {threshold}"
        conditions.append(f"(\n  {long_}\nand\n  {short}\n)")
    name = alert_name(slo, severity)
    pairs = ", or ".join(f"{num(p.factor)}x over {p.long} and {p.short}" for p in severity.windows)
    return {
        "alert": name,
        "expr": "\nor\n".join(conditions),
        "for": severity.for_,
        "labels": {
            "severity": severity.severity,
            "urgency": severity.urgency,
            "service": spec.service,
            "team": spec.team,
            "slo": slo,
        },
        "annotations": {
            "summary": (
                f"{spec.service}: {slo} error budget burning too fast ({severity.urgency})"
            ),
            "description": (
                f"The {slo} SLO of {spec.service} (objective {num(objective * 100)}% over "
                f"{spec.window}) is burning its error budget at {pairs} the sustainable rate."
            ),
            "runbook_url": f"{spec.runbook_url}#{name}",
        },
    }


def alert_group(spec: SLOSpec, slo: str) -> Group:
    return {
        "name": f"slo-{spec.service}-{slo}-alerts",
        "rules": [alert_rule(spec, slo, severity) for severity in SEVERITIES],
    }


def rule_groups(spec: SLOSpec) -> list[Group]:
    """Every group for the spec, recordings before alerts for each SLO."""
    groups: list[Group] = []
    for slo in spec.enabled():
        groups += [recording_group(spec, slo), alert_group(spec, slo)]
    return groups


def prometheus_rules(spec: SLOSpec) -> dict[str, Any]:
    """A plain Prometheus rules file (`rule_files:` / `promtool check rules`)."""
    return {"groups": rule_groups(spec)}


def prometheus_rule_manifest(
    spec: SLOSpec, release_label: str = "kube-prometheus-stack"
) -> dict[str, Any]:
    """A PrometheusRule for the Prometheus Operator.

    kube-prometheus-stack only selects rules carrying its `release` label.
    """
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": f"{spec.service}-slo",
            "labels": {
                "app.kubernetes.io/name": spec.service,
                "app.kubernetes.io/component": "slo",
                "app.kubernetes.io/managed-by": "slipway-obs",
                "release": release_label,
            },
        },
        "spec": {"groups": rule_groups(spec)},
    }


def helm_values(spec: SLOSpec) -> dict[str, Any]:
    """Values for the service chart, which renders `prometheusRule.groups`."""
    return {"prometheusRule": {"groups": rule_groups(spec)}}
