"""Metric names, label names and histogram buckets (CONTRACTS.md "Metrics").

Names are written as Prometheus stores them (a counter's samples end in
`_total`), because that is what rules, dashboards and smoke checks query.
prometheus-client wants a counter's family name without the suffix:
`family(HTTP_REQUESTS_TOTAL)`.
"""

from __future__ import annotations

from typing import Literal

# Every SLO latency threshold Slipway accepts sits on one of these boundaries, so
# a latency SLI is an exact ratio of two bucket counters, never an interpolation.
DURATION_BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3,
    0.4, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0,
)  # fmt: skip

# HTTP RED
HTTP_REQUESTS_TOTAL = "http_server_requests_total"
HTTP_REQUEST_DURATION_SECONDS = "http_server_request_duration_seconds"
HTTP_REQUESTS_IN_FLIGHT = "http_server_requests_in_flight"
# dependencies and breakers
DEPENDENCY_REQUESTS_TOTAL = "dependency_requests_total"
DEPENDENCY_REQUEST_DURATION_SECONDS = "dependency_request_duration_seconds"
CIRCUIT_BREAKER_STATE = "circuit_breaker_state"
SERVICE_BUILD_INFO = "service_build_info"
# queue workers
QUEUE_MESSAGES_TOTAL = "queue_messages_total"
QUEUE_MESSAGE_PROCESSING_SECONDS = "queue_message_processing_seconds"
QUEUE_OLDEST_MESSAGE_AGE_SECONDS = "queue_oldest_message_age_seconds"
QUEUE_DEPTH = "queue_depth"

METRIC_NAMES: tuple[str, ...] = (
    HTTP_REQUESTS_TOTAL,
    HTTP_REQUEST_DURATION_SECONDS,
    HTTP_REQUESTS_IN_FLIGHT,
    DEPENDENCY_REQUESTS_TOTAL,
    DEPENDENCY_REQUEST_DURATION_SECONDS,
    CIRCUIT_BREAKER_STATE,
    SERVICE_BUILD_INFO,
    QUEUE_MESSAGES_TOTAL,
    QUEUE_MESSAGE_PROCESSING_SECONDS,
    QUEUE_OLDEST_MESSAGE_AGE_SECONDS,
    QUEUE_DEPTH,
)

# How each gauge combines across the processes of one pod (prometheus-client's
# multiprocess_mode), which is also how it combines across replicas, each replica
# being just more processes: the chassis declares its gauges with these and the
# dashboards aggregate with them (livesum -> sum, livemax -> max, liveall -> count).
# queue_depth and the oldest age are broker-wide: every replica reports the whole queue.
GaugeMode = Literal["livesum", "livemax", "liveall"]
GAUGE_MULTIPROCESS_MODES: dict[str, GaugeMode] = {
    HTTP_REQUESTS_IN_FLIGHT: "livesum",
    CIRCUIT_BREAKER_STATE: "livemax",
    SERVICE_BUILD_INFO: "liveall",
    QUEUE_OLDEST_MESSAGE_AGE_SECONDS: "livemax",
    QUEUE_DEPTH: "livemax",
}

# Label names. `service` is added by Prometheus (the Kubernetes Service name);
# SLO rules select on it (service_build_info also carries it, set by the chassis).
LABEL_METHOD = "method"
LABEL_ROUTE = "route"
LABEL_STATUS_CLASS = "status_class"
LABEL_DEPENDENCY = "dependency"
LABEL_OUTCOME = "outcome"
LABEL_QUEUE = "queue"
LABEL_SERVICE = "service"
LABEL_LE = "le"
# service_build_info{service, version, environment}: what is running where.
LABEL_VERSION = "version"
LABEL_ENVIRONMENT = "environment"


def family(name: str) -> str:
    """The family name prometheus-client takes for a counter (`x_total` -> `x`)."""
    return name.removesuffix("_total")
