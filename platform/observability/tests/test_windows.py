"""The burn-rate table is the SRE workbook's (see ../../../shared/OPERATIONS.md)."""

from __future__ import annotations

from slipway_observability.windows import PAGE, RECORDING_WINDOWS, TICKET, seconds


def test_sre_workbook_table() -> None:
    assert [(w.factor, w.long, w.short) for w in PAGE.windows] == [
        (14.4, "1h", "5m"),
        (6, "6h", "30m"),
    ]
    assert [(w.factor, w.long, w.short) for w in TICKET.windows] == [
        (3, "1d", "2h"),
        (1, "3d", "6h"),
    ]
    assert (PAGE.severity, TICKET.severity) == ("critical", "warning")


def test_budget_spent_at_trigger() -> None:
    """factor x long window / 30d = 2 %, 5 %, 10 %, 10 % of the budget."""
    month = 30 * 86400
    spent = [round(w.factor * seconds(w.long) / month, 3) for w in (*PAGE.windows, *TICKET.windows)]
    assert spent == [0.02, 0.05, 0.1, 0.1]


def test_every_alert_window_is_recorded() -> None:
    used = {w for sev in (PAGE, TICKET) for p in sev.windows for w in (p.long, p.short)}
    assert used == set(RECORDING_WINDOWS)
