"""The environment contract: what every service of a kind must receive per environment.

Declared here, once, from the operations design; `slipway-gitops inventory
--check` and tests/helm/test_environment_contract.py compare every rendered
Application (inventory.py) with it, field by field. Values are regular
expressions matched against the whole inventory field, so a rule can leave a
service's own choice open (its max replicas, its latency thresholds) while
pinning what the design fixes.
"""

from __future__ import annotations

import re
from collections import Counter

from slipway_delivery.inventory import Row

# Minimum pods per environment: dev runs one, qa and stage two (spreading and
# the PDB are exercised), prod three (one per zone).
MIN_REPLICAS = {"dev": 1, "qa": 2, "stage": 2, "prod": 3}

# Objects every render of a kind carries (Argo CD skips the helm test Pod).
# Three NetworkPolicies: default deny, the allows, the test/smoke pods' own.
BASE_OBJECTS = {
    "http-api": {"ConfigMap": 1, "Deployment": 1, "NetworkPolicy": 3, "PrometheusRule": 1,
                 "Service": 2, "ServiceAccount": 1, "ServiceMonitor": 1},
    "queue-worker": {"ConfigMap": 1, "Deployment": 1, "NetworkPolicy": 3, "PrometheusRule": 1,
                     "Service": 2, "ServiceAccount": 1, "ServiceMonitor": 1},
}  # fmt: skip

# Above dev: HTTP services scale on cpu and memory (HPA) plus p95/p99 latency
# from the Prometheus Adapter; workers on queue depth and oldest-message age
# (KEDA, whose TriggerAuthentication reads the broker Secret). Never both.
AUTOSCALING = {
    "http-api": (r"HPA: cpu, memory, p95 \d+m, p99 \d+m", {"HorizontalPodAutoscaler": 1}),
    "queue-worker": (
        r"KEDA: queue-length \((rabbitmq|redis)\), oldest-message-age \(prometheus\)",
        {"ScaledObject": 1, "TriggerAuthentication": 1},
    ),
}

# Strategies allowed above dev: an HTTP API always has an automatic gate.
STRATEGIES = {
    "http-api": ("canary", "blueGreen"),
    "queue-worker": ("rolling", "canary", "blueGreen"),
}

# The three Prometheus metrics, each waiting for data first (initialDelay).
_PROMETHEUS = r"success-rate, latency-p95, error-ratio-vs-stable \[prometheus, after \d+m\]"


def _analysis(kind: str, strategy: str) -> str:
    if strategy == "canary":
        return f"background: {_PROMETHEUS}"
    if strategy == "blueGreen":
        # The preview gets traffic from the smoke Job (HTTP), the service's
        # cache warm-up first (its init container); a worker's preview pods
        # consume real messages.
        smoke = r", preview-smoke \[job: warmup, smoke\]" if kind == "http-api" else ""
        return f"pre: {_PROMETHEUS}{smoke}; post: {_PROMETHEUS}"
    return "-"


def _objects(kind: str, env: str, strategy: str) -> dict[str, int]:
    objects = Counter(BASE_OBJECTS[kind])
    if env != "dev":
        objects.update(AUTOSCALING[kind][1])
    if MIN_REPLICAS[env] > 1:
        objects["PodDisruptionBudget"] += 1
    if strategy != "rolling":
        objects.update({"Rollout": 1, "AnalysisTemplate": 1})
    if strategy == "blueGreen":
        objects["Service"] += 1  # the preview Service
        if kind == "http-api":
            objects["AnalysisTemplate"] += 1  # the preview smoke Job
    return dict(sorted(objects.items()))


def expected(kind: str, env: str, strategy: str) -> dict[str, str]:
    """Per inventory field, the regular expression its value must match."""
    dev = env == "dev"
    promotion = {
        "rolling": "-",
        "canary": "steps",
        "blueGreen": "manual" if env == "prod" else "auto",
    }
    return {
        "objects": re.escape(str(_objects(kind, env, strategy))),
        "replicas": "1" if dev else rf"{MIN_REPLICAS[env]}-\d+",
        "autoscaling": "-" if dev else AUTOSCALING[kind][0],
        "strategy": "rolling|canary|blueGreen" if dev else "|".join(STRATEGIES[kind]),
        "analysis": _analysis(kind, strategy),
        "promotion": promotion[strategy],
        # Every SLO of slo.yaml delivered with a page and a ticket alert.
        "alerts": r"\w+: page\+ticket(; \w+: page\+ticket)*",
        # Grafana dashboards are provisioned once from platform/observability,
        # not per environment: the chart renders none.
        "dashboards": "0",
        "network_policies": "allow, default-deny, helm-test",
        "pdb": "-" if MIN_REPLICAS[env] == 1 else "maxUnavailable 1",
    }


def differences(row: Row) -> list[str]:
    """Every field of `row` that breaks the contract, each naming the rule."""
    if row.kind not in BASE_OBJECTS:
        return [f"{row.service}/{row.env}: unknown service kind {row.kind!r}"]
    found = []
    values = {k: str(v) for k, v in row.as_dict().items()}
    for field, rule in expected(row.kind, row.env, row.strategy).items():
        if not re.fullmatch(rule, values[field]):
            found.append(
                f"{row.service}/{row.env} ({row.kind}, {row.strategy}): {field} is "
                f"{values[field]!r}, the contract wants /{rule}/"
            )
    return found
