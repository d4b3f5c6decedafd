"""Generate `promtool test rules` unit tests for every SLO alert of a spec.

Six scenarios per SLO, on synthetic series at a 1-minute scrape interval:

* fast burn   - healthy, then a full outage: the page fires within the time the
                burn-rate maths predicts (+ its `for` + a small margin), the ticket too;
* 10x burn    - too slow for the 14.4x/1h pair: pages through the 6x 6h/30m pair;
* slow burn   - errors at 5x the budget for 12h: a ticket, never a page; at 2x
                (below the 3x 1d/2h pair) a ticket through the 1x 3d/6h pair;
* no traffic  - counters flat (0/0 = NaN) or an idle queue: silence;
* recovery    - an outage that ends: the page resolves once its short windows clear,
                the ticket once the 6h window does.

Expected times are derived from the windows, not hard-coded, so the tests stay
meaningful for any objective in the spec.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from slipway_contract import metrics

from slipway_observability.buckets import le_label
from slipway_observability.rules import alert_name, alert_rule
from slipway_observability.slo import LatencySLO, QueueBacklogSLO, SLOSpec
from slipway_observability.windows import PAGE, TICKET, AlertSeverity, seconds

MINUTE = 60
SLOW_BURN_FACTOR = 5  # between the highest ticket factor (3) and the lowest page factor (6)


@dataclass(frozen=True)
class Segment:
    """`minutes` of traffic where a fraction `bad` of events (or of time) is bad."""

    minutes: int
    bad: float
    traffic: bool = True


def page_detection_minutes(budget: float) -> float | None:
    """Upper bound of the minutes a 100% outage takes to trip the page; None if never.

    During an outage the error ratio over a window W, t minutes in, is t/W, so pair
    (factor f, long L, short S) trips after f*budget*L minutes (S is shorter).
    """
    candidates = [
        pair.factor * budget * seconds(pair.long) / MINUTE
        for pair in PAGE.windows
        if pair.factor * budget < 1
    ]
    return min(candidates) if candidates else None


def _compress(values: list[float]) -> str:
    """Promtool expanding notation: each run with a constant step becomes `a+bxN`."""
    parts: list[str] = []
    i = 0
    while i < len(values):
        step = values[i + 1] - values[i] if i + 1 < len(values) else 0.0
        j = i + 1
        while j < len(values) and values[j] - values[j - 1] == step:
            j += 1
        sign = "+" if step >= 0 else ""
        parts.append(f"{_fmt(values[i])}{sign}{_fmt(step)}x{j - i - 1}")
        i = j
    return " ".join(parts)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


class _SeriesBuilder:
    """Per-minute samples for the metrics one SLI reads."""

    def __init__(self, spec: SLOSpec, slo: str) -> None:
        self.spec = spec
        self.slo = slo
        budget = 1 - spec.enabled()[slo].objective
        # Enough requests per minute that SLOW_BURN_FACTOR x budget is a whole number.
        self.rate = max(1000, 10 ** math.ceil(math.log10(100 / budget)))

    def series(self, segments: list[Segment]) -> list[dict[str, str]]:
        if self.slo == "queue_backlog":
            return self._queue(segments)
        good: list[float] = [0.0]
        total: list[float] = [0.0]
        for seg in segments:
            per_min = self.rate if seg.traffic else 0
            bad = round(per_min * seg.bad)
            for _ in range(seg.minutes):
                good.append(good[-1] + per_min - bad)
                total.append(total[-1] + per_min)
        svc = self.spec.service
        if self.slo == "availability":
            errors = [t - g for t, g in zip(total, good, strict=True)]
            base = f'{metrics.HTTP_REQUESTS_TOTAL}{{service="{svc}",method="GET",route="/items"'
            return [
                {"series": base + ',status_class="2xx"}', "values": _compress(good)},
                {"series": base + ',status_class="5xx"}', "values": _compress(errors)},
            ]
        latency = self.spec.slos.latency
        assert isinstance(latency, LatencySLO)  # noqa: S101
        hist = metrics.HTTP_REQUEST_DURATION_SECONDS
        labels = f'service="{svc}",method="GET",route="/items"'
        le = le_label(latency.threshold_seconds)
        return [
            {"series": f'{hist}_bucket{{{labels},le="{le}"}}', "values": _compress(good)},
            {"series": f"{hist}_count{{{labels}}}", "values": _compress(total)},
        ]

    def _queue(self, segments: list[Segment]) -> list[dict[str, str]]:
        backlog = self.spec.slos.queue_backlog
        assert isinstance(backlog, QueueBacklogSLO)  # noqa: S101
        too_old = backlog.max_age_seconds * 2
        ages: list[float] = [0.0]
        for seg in segments:
            # A time-based SLI: one bad minute every 1/bad minutes.
            every = round(1 / seg.bad) if seg.bad > 0 else 0
            for minute in range(seg.minutes):
                bad = every > 0 and minute % every == 0
                ages.append(too_old if bad else 0.0)
        labels = f'service="{self.spec.service}",queue="work"'
        name = f"{metrics.QUEUE_OLDEST_MESSAGE_AGE_SECONDS}{{{labels}}}"
        return [{"series": name, "values": _compress(ages)}]


def _expect(
    spec: SLOSpec, slo: str, severity: AlertSeverity, at: int, firing: bool
) -> dict[str, Any]:
    rule = alert_rule(spec, slo, severity)
    alerts = [{"exp_labels": rule["labels"], "exp_annotations": rule["annotations"]}]
    return {
        "eval_time": f"{at}m",
        "alertname": alert_name(slo, severity),
        "exp_alerts": alerts if firing else [],
    }


def _for_minutes(severity: AlertSeverity) -> int:
    return seconds(severity.for_) // MINUTE


class _Scenarios:
    """The promtool test groups for one SLO of a spec."""

    prefix = 120  # healthy minutes before any incident
    # Long enough for a 5x burn to fill the 1d window past 3x (and 2x the 3d one past 1x)
    # from a 1h healthy start; shorter runs keep promtool fast.
    burn_minutes = 12 * 60

    def __init__(self, spec: SLOSpec, slo: str) -> None:
        self.spec = spec
        self.slo = slo
        self.budget = 1 - spec.enabled()[slo].objective
        self.builder = _SeriesBuilder(spec, slo)
        # A time-based SLI cannot be bad for less than one evaluation: when one bad
        # minute is already 14.4x the hourly budget, any burn legitimately pages.
        self.one_minute_pages = slo == "queue_backlog" and 14.4 * self.budget < MINUTE / 3600

    def _group(
        self, name: str, segments: list[Segment], checks: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return {
            "name": f"{self.spec.service} {self.slo}: {name}",
            "interval": "1m",
            "input_series": self.builder.series(segments),
            "alert_rule_test": checks,
        }

    def _check(self, severity: AlertSeverity, at: int, firing: bool) -> dict[str, Any]:
        return _expect(self.spec, self.slo, severity, at, firing)

    def full_outage_and_recovery(self) -> list[dict[str, Any]]:
        detect = page_detection_minutes(self.budget)
        if detect is None:
            return []
        page_at = math.ceil(detect) + _for_minutes(PAGE) + 2
        outage = max(60, page_at + 10)
        start, stop = self.prefix, self.prefix + outage
        page_clear = max(seconds(p.short) for p in PAGE.windows) // MINUTE + 10
        ticket_clear = max(seconds(p.short) for p in TICKET.windows) // MINUTE + 15
        return [
            self._group(
                f"full outage pages within {page_at}m and opens a ticket",
                [Segment(self.prefix, 0.0), Segment(outage, 1.0)],
                [
                    self._check(PAGE, start - 1, firing=False),
                    self._check(PAGE, start + 1, firing=False),
                    self._check(PAGE, start + page_at, firing=True),
                    self._check(TICKET, stop, firing=True),
                ],
            ),
            self._group(
                "recovery resolves the page, then the ticket",
                [Segment(self.prefix, 0.0), Segment(outage, 1.0), Segment(ticket_clear + 5, 0.0)],
                [
                    self._check(PAGE, stop - 1, firing=True),
                    self._check(PAGE, stop + page_clear, firing=False),
                    self._check(TICKET, stop + page_clear, firing=True),
                    self._check(TICKET, stop + ticket_clear, firing=False),
                ],
            ),
        ]

    def second_page_pair(self) -> list[dict[str, Any]]:
        """10x budget: never enough for 14.4x over 1h, so only the 6h/30m pair can page."""
        slow = PAGE.windows[1]
        burn = 10 * self.budget
        if burn >= 1 or self.one_minute_pages:
            return []
        detect = math.ceil(slow.factor / 10 * seconds(slow.long) / MINUTE)
        page_at = detect + _for_minutes(PAGE) + 2
        return [
            self._group(
                f"10x burn pages through the {slow.long}/{slow.short} pair within {page_at}m",
                [Segment(self.prefix, 0.0), Segment(page_at + 10, burn)],
                [
                    # 10x < 14.4x: the fast pair alone must stay quiet for the first hour...
                    self._check(PAGE, self.prefix + 60, firing=False),
                    # ...and the 6x pair pages by the time its maths predicts.
                    self._check(PAGE, self.prefix + page_at, firing=True),
                ],
            )
        ]

    def slow_burns(self) -> list[dict[str, Any]]:
        """5x opens a ticket without paging; 2x can only trip the 3d/6h pair."""
        groups = []
        for factor, why in ((SLOW_BURN_FACTOR, "never pages"), (2, "through the 3d/6h pair")):
            burn = factor * self.budget
            if burn >= 1:
                continue
            checks = [
                self._check(TICKET, 60 + _for_minutes(TICKET) - 1, firing=False),
                self._check(TICKET, 60 + self.burn_minutes, firing=True),
            ]
            if not self.one_minute_pages:
                checks += [
                    self._check(PAGE, 60 + at, firing=False) for at in (60, 360, self.burn_minutes)
                ]
            groups.append(
                self._group(
                    f"{factor}x budget burn for {self.burn_minutes // 60}h opens a ticket, {why}",
                    [Segment(60, 0.0), Segment(self.burn_minutes, burn)],
                    checks,
                )
            )
        return groups

    def no_traffic(self) -> list[dict[str, Any]]:
        idle = 180
        period = f"slo:sli_error:ratio_rate{self.spec.window}"
        selector = f'{{service="{self.spec.service}",slo="{self.slo}"}}'
        return [
            self._group(
                "no traffic stays silent",
                [Segment(idle, 0.0, traffic=False)],
                [self._check(sev, at, firing=False) for sev in (PAGE, TICKET) for at in (30, idle)],
            ),
            {
                # An idle spell must not turn the SLO-window ratio into NaN for a month.
                **self._group(
                    "an idle spell between traffic keeps the SLO-window ratio a number",
                    [Segment(60, 0.0), Segment(30, 0.0, traffic=False), Segment(30, 0.0)],
                    [self._check(sev, 119, firing=False) for sev in (PAGE, TICKET)],
                ),
                "promql_expr_test": [
                    {
                        "expr": f"count({period}{selector} == {period}{selector})",
                        "eval_time": "119m",
                        "exp_samples": [{"labels": "{}", "value": 1}],
                    }
                ],
            },
        ]


def scenarios(spec: SLOSpec, slo: str) -> list[dict[str, Any]]:
    """promtool test groups for one SLO."""
    s = _Scenarios(spec, slo)
    return [*s.full_outage_and_recovery(), *s.second_page_pair(), *s.slow_burns(), *s.no_traffic()]


def unit_tests(spec: SLOSpec, rule_file: str) -> dict[str, Any]:
    """A whole promtool test file for `rule_file` (path relative to the test file)."""
    tests: list[dict[str, Any]] = []
    for slo in spec.enabled():
        tests += scenarios(spec, slo)
    return {"rule_files": [rule_file], "evaluation_interval": "1m", "tests": tests}
