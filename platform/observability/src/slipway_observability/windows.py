"""Multi-window, multi-burn-rate alerting parameters (Google SRE workbook, ch. 5).

| severity | burn rate | long window | short window | budget spent at trigger |
|---|---|---|---|---|
| page     | 14.4      | 1h          | 5m           | 2 %  |
| page     | 6         | 6h          | 30m          | 5 %  |
| ticket   | 3         | 1d          | 2h           | 10 % |
| ticket   | 1         | 3d          | 6h           | 10 % |
"""

from __future__ import annotations

from dataclasses import dataclass

#: Windows the error ratio is recorded for, shortest first.
RECORDING_WINDOWS: tuple[str, ...] = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")

_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def seconds(duration: str) -> int:
    """Seconds in a Prometheus duration with one unit ("30m" -> 1800)."""
    return int(duration[:-1]) * _SECONDS[duration[-1]]


@dataclass(frozen=True)
class BurnWindow:
    """One long/short window pair: fires when both exceed factor x error budget."""

    factor: float
    long: str
    short: str


@dataclass(frozen=True)
class AlertSeverity:
    """One alert per SLO and severity; its window pairs are OR-ed together."""

    name: str  # alert name suffix: FastBurn / SlowBurn
    severity: str  # Alertmanager routing label: critical pages, warning tickets
    urgency: str  # page | ticket (human wording)
    for_: str  # pending time: a single bad scrape must not page
    windows: tuple[BurnWindow, ...]


PAGE = AlertSeverity(
    name="FastBurn",
    severity="critical",
    urgency="page",
    for_="2m",
    windows=(BurnWindow(14.4, "1h", "5m"), BurnWindow(6, "6h", "30m")),
)
TICKET = AlertSeverity(
    name="SlowBurn",
    severity="warning",
    urgency="ticket",
    for_="15m",
    windows=(BurnWindow(3, "1d", "2h"), BurnWindow(1, "3d", "6h")),
)
SEVERITIES: tuple[AlertSeverity, ...] = (PAGE, TICKET)
