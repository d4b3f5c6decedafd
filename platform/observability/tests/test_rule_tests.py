"""Every generated alert is unit-tested by the real `promtool test rules`."""

from __future__ import annotations

from pathlib import Path

import pytest
from slipway_observability import promtool
from slipway_observability.cli import write_rule_tests
from slipway_observability.rule_tests import _compress, page_detection_minutes, unit_tests
from slipway_observability.rules import rule_groups
from slipway_observability.slo import SLOSpec, parse_spec


def test_every_alert_has_its_scenarios(api_spec: SLOSpec, worker_spec: SLOSpec) -> None:
    common = ("full outage", "recovery", "5x budget burn", "no traffic")
    specific = {"FastBurn": ("10x burn",), "SlowBurn": ("2x budget burn",)}
    for spec in (api_spec, worker_spec):
        tests = unit_tests(spec, "rules.yml")["tests"]
        alerts = {r["alert"] for g in rule_groups(spec) for r in g["rules"] if "alert" in r}
        assert len(alerts) == 2 * len(spec.enabled())
        for alert in alerts:
            covering = [
                t["name"]
                for t in tests
                if any(c["alertname"] == alert for c in t["alert_rule_test"])
            ]
            kind = "FastBurn" if alert.endswith("FastBurn") else "SlowBurn"
            for scenario in (*common, *specific[kind]):
                assert any(scenario in name for name in covering), (alert, scenario)


def test_page_detection_follows_the_burn_rate_maths() -> None:
    # 99.9%: 14.4 x 0.001 x 60 min = 0.864 min into a full outage.
    assert page_detection_minutes(0.001) == pytest.approx(0.864)
    # 90%: 14.4x is impossible (> 100% errors), 6x over 6h: 0.6 x 360 min.
    assert page_detection_minutes(0.1) == pytest.approx(216)
    assert page_detection_minutes(0.2) is None


def test_series_notation() -> None:
    assert _compress([0, 10, 20, 30, 30, 30]) == "0+10x3 30+0x1"
    assert _compress([5]) == "5+0x0"


@pytest.mark.requires("promtool")
@pytest.mark.parametrize("fixture", ["api_spec", "worker_spec"])
def test_promtool_unit_tests_pass(
    fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    spec = request.getfixturevalue(fixture)
    _, test_file = write_rule_tests(spec, tmp_path)
    result = promtool.test_rules(test_file)
    assert result.ok, result.output


AVAILABILITY_ONLY = {
    "service": "orders-api",
    "team": "payments",
    "runbook_url": "https://runbooks.example.com/orders-api",
    "slos": {"availability": {"objective": 0.999}},
}


@pytest.mark.requires("promtool")
@pytest.mark.parametrize(
    ("broken", "caught_by"),
    [
        # Both page pairs made 100x too lax: the outage no longer pages.
        (("(14.4 * 0.001)", "(6 * 0.001)"), "full outage pages within"),
        # Only the 6x pair broken: the 10x burn no longer pages.
        (("(6 * 0.001)",), "10x burn pages through the 6h/30m pair"),
        # Only the 1x pair broken: the 2x burn no longer opens a ticket.
        (("(1 * 0.001)",), "2x budget burn for 12h opens a ticket"),
    ],
)
def test_promtool_unit_tests_catch_a_broken_rule(
    broken: tuple[str, ...], caught_by: str, tmp_path: Path
) -> None:
    """Every window pair is pinned: loosening any one of them fails a generated test."""
    rule_file, test_file = write_rule_tests(parse_spec(AVAILABILITY_ONLY), tmp_path)
    text = rule_file.read_text()
    for threshold in broken:
        assert threshold in text
        text = text.replace(threshold, "(1000 * 0.001)")
    rule_file.write_text(text)
    result = promtool.test_rules(test_file)
    assert not result.ok
    assert caught_by in result.output, result.output


@pytest.mark.requires("promtool")
def test_nan_guard_is_pinned(tmp_path: Path) -> None:
    """Without `> 0` on the denominator an idle spell makes the 30d ratio NaN: caught."""
    rule_file, test_file = write_rule_tests(parse_spec(AVAILABILITY_ONLY), tmp_path)
    text = rule_file.read_text()
    assert " > 0)" in text
    rule_file.write_text(text.replace(" > 0)", ")"))
    result = promtool.test_rules(test_file)
    assert not result.ok
    assert "slo:sli_error:ratio_rate30d" in result.output
