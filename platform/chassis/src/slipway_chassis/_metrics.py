"""Prometheus metrics (prometheus-client): HTTP RED, dependencies, breakers, build info.

Metric names, label names and buckets come from slipway_contract.metrics
(platform/CONTRACTS.md). The duration histograms use `DURATION_BUCKETS`, chosen
so every SLO latency threshold Slipway accepts (`threshold_seconds` in slo.yaml)
sits on a bucket boundary: a latency SLI is then an exact ratio of two bucket
counters, never an interpolation.

Multiprocess mode: when `PROMETHEUS_MULTIPROC_DIR` is set *before this module
is imported* (prometheus-client picks its value class at import), every worker
writes mmap files there, `render_metrics` aggregates them with a fresh registry
and `MultiProcessCollector` per scrape, and `mark_worker_dead` runs on exit.
`serve()` wipes the directory once, in the parent, before workers start.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from slipway_contract import env_vars
from slipway_contract import metrics as names  # the names and buckets, written once

DURATION_BUCKETS: list[float] = list(names.DURATION_BUCKETS)

METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROC_ENV = env_vars.PROMETHEUS_MULTIPROC_DIR

# Label value for requests that matched no route: the raw path would explode cardinality.
UNMATCHED_ROUTE = "<unmatched>"

HTTP_REQUESTS = Counter(
    names.family(names.HTTP_REQUESTS_TOTAL),
    "HTTP requests handled, by method, route template and status class.",
    [names.LABEL_METHOD, names.LABEL_ROUTE, names.LABEL_STATUS_CLASS],
)
HTTP_DURATION = Histogram(
    names.HTTP_REQUEST_DURATION_SECONDS,
    "HTTP request duration in seconds, by method and route template.",
    [names.LABEL_METHOD, names.LABEL_ROUTE],
    buckets=DURATION_BUCKETS,
)
HTTP_IN_FLIGHT = Gauge(
    names.HTTP_REQUESTS_IN_FLIGHT,
    "HTTP requests being handled right now.",
    multiprocess_mode=names.GAUGE_MULTIPROCESS_MODES[names.HTTP_REQUESTS_IN_FLIGHT],
)
DEPENDENCY_REQUESTS = Counter(
    names.family(names.DEPENDENCY_REQUESTS_TOTAL),
    "Outbound calls to a dependency, by outcome (success, error, timeout, circuit_open).",
    [names.LABEL_DEPENDENCY, names.LABEL_OUTCOME],
)
DEPENDENCY_DURATION = Histogram(
    names.DEPENDENCY_REQUEST_DURATION_SECONDS,
    "Outbound call duration in seconds, by dependency.",
    [names.LABEL_DEPENDENCY],
    buckets=DURATION_BUCKETS,
)
CIRCUIT_BREAKER_STATE = Gauge(
    names.CIRCUIT_BREAKER_STATE,
    "Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open.",
    [names.LABEL_DEPENDENCY],
    multiprocess_mode=names.GAUGE_MULTIPROCESS_MODES[names.CIRCUIT_BREAKER_STATE],
)
BUILD_INFO = Gauge(
    names.SERVICE_BUILD_INFO,
    "Always 1; labels say which service, version and environment is running.",
    [names.LABEL_SERVICE, names.LABEL_VERSION, names.LABEL_ENVIRONMENT],
    multiprocess_mode=names.GAUGE_MULTIPROCESS_MODES[names.SERVICE_BUILD_INFO],
)
QUEUE_MESSAGES = Counter(
    names.family(names.QUEUE_MESSAGES_TOTAL),
    "Queue messages processed by a worker, by outcome (acked, retried, dead_lettered).",
    [names.LABEL_QUEUE, names.LABEL_OUTCOME],
)
QUEUE_PROCESSING = Histogram(
    names.QUEUE_MESSAGE_PROCESSING_SECONDS,
    "Time a worker spent processing one message, in seconds.",
    [names.LABEL_QUEUE],
    buckets=DURATION_BUCKETS,
)
QUEUE_OLDEST_AGE = Gauge(
    names.QUEUE_OLDEST_MESSAGE_AGE_SECONDS,
    "Age of the oldest message waiting in the queue, in seconds.",
    [names.LABEL_QUEUE],
    multiprocess_mode=names.GAUGE_MULTIPROCESS_MODES[names.QUEUE_OLDEST_MESSAGE_AGE_SECONDS],
)
QUEUE_DEPTH = Gauge(
    names.QUEUE_DEPTH,
    "Messages waiting in the queue.",
    [names.LABEL_QUEUE],
    multiprocess_mode=names.GAUGE_MULTIPROCESS_MODES[names.QUEUE_DEPTH],
)

BREAKER_STATE_VALUES = {"closed": 0, "half_open": 1, "open": 2}


def status_class(status: int) -> str:
    """`2xx`..`5xx` from an HTTP status code."""
    return f"{status // 100}xx"


class RequestMetrics:
    """Fast recording of the RED metrics for one app.

    Children of labelled metrics are cached per label tuple: `.labels()` costs a
    lock and a dict lookup with a tuple build, which matters on every request.
    """

    def __init__(self) -> None:
        self._counters: dict[tuple[str, str, int], Counter] = {}
        self._histograms: dict[tuple[str, str], Histogram] = {}
        self.in_flight = HTTP_IN_FLIGHT

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one finished request and record its duration."""
        key = (method, route, status // 100)
        counter = self._counters.get(key)
        if counter is None:
            counter = HTTP_REQUESTS.labels(method, route, status_class(status))
            self._counters[key] = counter
        counter.inc()
        hkey = (method, route)
        histogram = self._histograms.get(hkey)
        if histogram is None:
            histogram = HTTP_DURATION.labels(method, route)
            self._histograms[hkey] = histogram
        histogram.observe(seconds)


def multiprocess_dir() -> Path | None:
    """The multiprocess directory when multiprocess mode is on, else None."""
    value = os.environ.get(MULTIPROC_ENV)
    return Path(value) if value else None


def render_metrics() -> bytes:
    """The Prometheus text exposition of every chassis and service metric."""
    if multiprocess_dir() is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def set_build_info(service: str, version: str, environment: str) -> None:
    """Publish `service_build_info{service,version,environment} 1`."""
    BUILD_INFO.labels(service, version, environment).set(1)


def set_breaker_state(dependency: str, state: str) -> None:
    """Publish a breaker's state (`closed`, `half_open`, `open`) as 0/1/2."""
    CIRCUIT_BREAKER_STATE.labels(dependency).set(BREAKER_STATE_VALUES[state])


def wipe_multiprocess_dir() -> None:
    """Empty the multiprocess directory; call once in the parent before workers start."""
    directory = multiprocess_dir()
    if directory is None:
        return
    if directory.exists():
        for child in directory.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    directory.mkdir(parents=True, exist_ok=True)


def mark_worker_dead(pid: int | None = None) -> None:
    """Tell the multiprocess collector this worker is gone (drops its live gauges)."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(pid or os.getpid())  # type: ignore[no-untyped-call]
