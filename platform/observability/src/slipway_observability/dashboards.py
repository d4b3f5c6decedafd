"""Grafana dashboards as code, built with Grafana's own grafana-foundation-sdk.

Per service: RED overview, SLO and error budget, latency percentiles, and (for
workers, i.e. specs with a queue_backlog SLO) queue backlog. Every panel queries
the `${datasource}` variable so one JSON works against any Prometheus, and panel
ids are assigned here (the SDK leaves them unset) so links and the structural
checks can rely on them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias

from grafana_foundation_sdk.builders import dashboard, prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import (
    DataSourceRef,
    Threshold,
    ThresholdsMode,
)
from slipway_contract import metrics

from slipway_observability.buckets import le_label
from slipway_observability.rules import BUDGET_REMAINING, ERROR_RATIO, num
from slipway_observability.slo import LatencySLO, QueueBacklogSLO, SLOSpec
from slipway_observability.windows import PAGE, TICKET

DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
RATE = "$__rate_interval"
HTTP_TOTAL = metrics.HTTP_REQUESTS_TOTAL
HTTP_DURATION = metrics.HTTP_REQUEST_DURATION_SECONDS

Panel: TypeAlias = timeseries.Panel | stat.Panel


class _Layout:
    """Numbers panels and queries; the SDK places them left to right, 24 columns wide."""

    def __init__(self, title: str, uid: str, spec: SLOSpec) -> None:
        self.next_id = 1
        self.board = (
            dashboard.Dashboard(title)
            .uid(uid)
            .tags(["slipway", spec.service, f"team:{spec.team}"])
            .refresh("30s")
            .time("now-6h", "now")
            .timezone("utc")
            .with_variable(
                dashboard.DatasourceVariable("datasource").label("Prometheus").type("prometheus")
            )
        )

    def row(self, title: str) -> None:
        self.board.with_row(dashboard.Row(title).id(self._id()))

    def add(
        self, panel: Panel, *queries: tuple[str, str], width: int = 12, height: int = 8
    ) -> None:
        for index, (expr, legend) in enumerate(queries):
            query = prometheus.Dataquery().expr(expr).ref_id(chr(ord("A") + index))
            if legend:
                query = query.legend_format(legend)
            panel = panel.with_target(query)
        self.board.with_panel(
            panel.id(self._id()).datasource(DATASOURCE).span(width).height(height)
        )

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def json(self) -> dict[str, Any]:
        board: dict[str, Any] = json.loads(json.dumps(self.board.build(), cls=JSONEncoder))
        return board


def _sel(spec: SLOSpec, **extra: str) -> str:
    pairs = {"service": spec.service, **extra}
    return "{" + ",".join(f'{k}="{v}"' for k, v in pairs.items()) + "}"


def _thresholds(*steps: tuple[float | None, str]) -> Any:
    config = dashboard.ThresholdsConfig().mode(ThresholdsMode.ABSOLUTE)
    return config.steps([Threshold(value=v, color=c) for v, c in steps])


def _is_worker(spec: SLOSpec) -> bool:
    """A queue worker: a backlog SLO and no HTTP SLO (its port only serves health/metrics)."""
    http = spec.slos.availability is not None or spec.slos.latency is not None
    return spec.slos.queue_backlog is not None and not http


def _queue_red(board: _Layout, spec: SLOSpec) -> None:
    messages = f"{metrics.QUEUE_MESSAGES_TOTAL}{_sel(spec)}"
    board.row("Messages")
    board.add(
        timeseries.Panel().title("Message rate by queue").unit("ops"),
        (f"sum by (queue) (rate({messages}[{RATE}]))", "{{queue}}"),
    )
    board.add(
        timeseries.Panel()
        .title("Failed ratio (retried + dead-lettered) by queue")
        .unit("percentunit"),
        (
            f'sum by (queue) (rate({metrics.QUEUE_MESSAGES_TOTAL}{{service="{spec.service}",'
            f'outcome=~"retried|dead_lettered"}}[{RATE}]))'
            f"\n/\nsum by (queue) (rate({messages}[{RATE}]))",
            "{{queue}}",
        ),
    )
    board.add(
        timeseries.Panel().title("Processing time p95 by queue").unit("s"),
        (
            "histogram_quantile(0.95, sum by (queue, le) "
            f"(rate({metrics.QUEUE_MESSAGE_PROCESSING_SECONDS}_bucket{_sel(spec)}[{RATE}])))",
            "{{queue}}",
        ),
        width=24,
    )


def red_overview(spec: SLOSpec) -> dict[str, Any]:
    """Rate, errors, duration (per route, or per queue for workers), plus dependencies."""
    board = _Layout(f"{spec.service} / RED overview", f"{spec.service}-red", spec)
    s = spec.service
    if _is_worker(spec):
        _queue_red(board, spec)
        _dependencies(board, spec)
        return board.json()
    board.row("Requests")
    board.add(
        timeseries.Panel().title("Request rate by route").unit("reqps"),
        (f"sum by (route) (rate({HTTP_TOTAL}{_sel(spec)}[{RATE}]))", "{{route}}"),
    )
    board.add(
        timeseries.Panel().title("Error ratio (5xx) by route").unit("percentunit"),
        (
            f'sum by (route) (rate({HTTP_TOTAL}{{service="{s}",status_class="5xx"}}[{RATE}]))'
            f"\n/\nsum by (route) (rate({HTTP_TOTAL}{_sel(spec)}[{RATE}]))",
            "{{route}}",
        ),
    )
    board.add(
        timeseries.Panel().title("p95 latency by route").unit("s"),
        (
            f"histogram_quantile(0.95, sum by (route, le) "
            f"(rate({HTTP_DURATION}_bucket{_sel(spec)}[{RATE}])))",
            "{{route}}",
        ),
    )
    board.add(
        timeseries.Panel().title("In-flight requests").unit("short"),
        (f"sum({metrics.HTTP_REQUESTS_IN_FLIGHT}{_sel(spec)})", "in flight"),
    )
    _dependencies(board, spec)
    return board.json()


def _dependencies(board: _Layout, spec: SLOSpec) -> None:
    board.row("Dependencies")
    board.add(
        timeseries.Panel().title("Dependency calls by outcome").unit("reqps"),
        (
            "sum by (dependency, outcome) "
            f"(rate({metrics.DEPENDENCY_REQUESTS_TOTAL}{_sel(spec)}[{RATE}]))",
            "{{dependency}} {{outcome}}",
        ),
    )
    board.add(
        timeseries.Panel().title("Circuit breakers (0 closed, 1 half-open, 2 open)").min(0).max(2),
        (f"max by (dependency) ({metrics.CIRCUIT_BREAKER_STATE}{_sel(spec)})", "{{dependency}}"),
    )
    board.add(
        stat.Panel().title("Running versions"),
        (f"count by (version) ({metrics.SERVICE_BUILD_INFO}{_sel(spec)})", "{{version}}"),
        width=24,
        height=4,
    )


def slo_budget(spec: SLOSpec) -> dict[str, Any]:
    """Per SLO: objective, SLI over the window, budget left, burn rates vs. alert factors."""
    board = _Layout(f"{spec.service} / SLOs and error budget", f"{spec.service}-slo", spec)
    for name, slo in spec.enabled().items():
        budget = num(1 - slo.objective)
        sel = _sel(spec, slo=name)
        board.row(f"{name} (objective {num(slo.objective * 100)}% over {spec.window})")
        board.add(
            stat.Panel().title(f"{name}: SLI over {spec.window}").unit("percentunit").decimals(3),
            (f"1 - {ERROR_RATIO.format(window=spec.window)}{sel}", "SLI"),
            width=6,
        )
        board.add(
            stat.Panel()
            .title(f"{name}: error budget remaining")
            .unit("percentunit")
            .thresholds(_thresholds((None, "red"), (0.25, "orange"), (0.5, "green"))),
            (f"{BUDGET_REMAINING}{sel}", "remaining"),
            width=6,
        )
        factors = sorted({p.factor for sev in (PAGE, TICKET) for p in sev.windows}, reverse=True)
        board.add(
            timeseries.Panel()
            .title(f"{name}: burn rate (alerts at {', '.join(num(f) + 'x' for f in factors)})")
            .unit("x"),
            *[
                (f"{ERROR_RATIO.format(window=w)}{sel} / {budget}", f"burn rate {w}")
                for w in ("5m", "1h", "6h", "1d", "3d")
            ],
        )
        board.add(
            timeseries.Panel()
            .title(f"{name}: error budget remaining over time")
            .unit("percentunit"),
            (f"{BUDGET_REMAINING}{sel}", "remaining"),
            width=24,
        )
    return board.json()


def latency(spec: SLOSpec) -> dict[str, Any]:
    """p50/p95/p99 overall, and the share of requests under the SLO threshold."""
    board = _Layout(f"{spec.service} / Latency", f"{spec.service}-latency", spec)
    bucket = f"{HTTP_DURATION}_bucket{_sel(spec)}"
    board.add(
        timeseries.Panel().title("Latency p50 / p95 / p99").unit("s"),
        *[
            (f"histogram_quantile({q}, sum by (le) (rate({bucket}[{RATE}])))", f"p{p}")
            for q, p in (("0.5", "50"), ("0.95", "95"), ("0.99", "99"))
        ],
        width=24,
    )
    board.add(
        timeseries.Panel().title("p99 by route").unit("s"),
        (
            f"histogram_quantile(0.99, sum by (route, le) (rate({bucket}[{RATE}])))",
            "{{route}}",
        ),
    )
    if isinstance(spec.slos.latency, LatencySLO):
        threshold = spec.slos.latency.threshold_seconds
        objective = num(spec.slos.latency.objective * 100)
        fast = f"{HTTP_DURATION}_bucket{_sel(spec, le=le_label(threshold))}"
        board.add(
            timeseries.Panel()
            .title(f"Requests faster than {threshold:g}s (objective {objective}%)")
            .unit("percentunit"),
            (
                f"sum(rate({fast}[{RATE}]))\n/\nsum(rate({HTTP_DURATION}_count{_sel(spec)}[{RATE}]))",
                "under threshold",
            ),
        )
    return board.json()


def queue_backlog(spec: SLOSpec) -> dict[str, Any]:
    """Oldest message age against the SLO limit, depth, throughput by outcome."""
    board = _Layout(f"{spec.service} / Queue backlog", f"{spec.service}-queue", spec)
    backlog = spec.slos.queue_backlog
    assert isinstance(backlog, QueueBacklogSLO)  # noqa: S101 - only called for workers
    board.add(
        timeseries.Panel()
        .title(f"Oldest message age (SLO limit {backlog.max_age_seconds:g}s)")
        .unit("s")
        .thresholds(_thresholds((None, "green"), (backlog.max_age_seconds, "red"))),
        (f"max by (queue) ({metrics.QUEUE_OLDEST_MESSAGE_AGE_SECONDS}{_sel(spec)})", "{{queue}}"),
    )
    board.add(
        timeseries.Panel().title("Queue depth").unit("short"),
        # Every replica reports the broker's whole queue length: max, never sum.
        (f"max by (queue) ({metrics.QUEUE_DEPTH}{_sel(spec)})", "{{queue}}"),
    )
    board.add(
        timeseries.Panel().title("Messages by outcome").unit("ops"),
        (
            f"sum by (queue, outcome) (rate({metrics.QUEUE_MESSAGES_TOTAL}{_sel(spec)}[{RATE}]))",
            "{{queue}} {{outcome}}",
        ),
    )
    board.add(
        timeseries.Panel().title("Processing time p95").unit("s"),
        (
            "histogram_quantile(0.95, sum by (queue, le) "
            f"(rate({metrics.QUEUE_MESSAGE_PROCESSING_SECONDS}_bucket{_sel(spec)}[{RATE}])))",
            "{{queue}}",
        ),
    )
    return board.json()


def build_dashboards(spec: SLOSpec) -> dict[str, dict[str, Any]]:
    """All dashboards for the spec, by uid."""
    builders: list[Callable[[SLOSpec], dict[str, Any]]] = [red_overview, slo_budget]
    if not _is_worker(spec):
        builders.append(latency)  # a pure worker has no request latency
    if spec.slos.queue_backlog is not None:
        builders.append(queue_backlog)
    boards = [build(spec) for build in builders]
    return {b["uid"]: b for b in boards}


def write_dashboards(spec: SLOSpec, directory: Path, previews: bool = True) -> list[Path]:
    """Write `<uid>.json` (and `<uid>.png` previews) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for uid, board in build_dashboards(spec).items():
        path = directory / f"{uid}.json"
        path.write_text(json.dumps(board, indent=2) + "\n", encoding="utf-8")
        written.append(path)
        if previews:
            from slipway_observability.preview import render_preview  # noqa: PLC0415 - slow import

            written.append(render_preview(board, directory / f"{uid}.png"))
    return written
