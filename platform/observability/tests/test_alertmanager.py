"""Alertmanager routing: amtool accepts it, and a real Alertmanager delivers,
groups and inhibits as configured (a local webhook stands in for Slack and PagerDuty)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from obs_process_helpers import Webhook, free_port, running, wait_until_ready
from slipway_observability import promtool, yamlio
from slipway_observability.alertmanager import Delivery, Timing, alertmanager_config


def _walk(node: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        return [x for k, v in node.items() for x in _walk(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [x for i, v in enumerate(node) for x in _walk(v, f"{path}[{i}]")]
    return [(path, node)]


def test_secrets_are_file_references_only() -> None:
    config = alertmanager_config(["payments"])
    keys = [path.rsplit(".", 1)[-1] for path, _ in _walk(config)]
    for secret in ("api_url", "routing_key", "service_key", "smtp_auth_password", "slack_api_url"):
        assert secret not in keys, f"{secret} must be given as {secret}_file"
    assert "routing_key_file" in keys
    assert "api_url_file" in keys
    assert "smtp_auth_password_file" in keys


def test_routes_by_team_then_severity() -> None:
    config = alertmanager_config(["search", "payments", "payments"])
    routes = config["route"]["routes"]
    assert [r["matchers"] for r in routes] == [
        ['team="payments"'],
        ['team="search"'],
        ['severity="critical"'],  # last: pages nobody claimed go to the platform on-call
    ]
    assert routes[-1]["receiver"] == "platform-oncall"
    assert routes[0]["receiver"] == "payments-ticket"
    assert routes[0]["routes"] == [
        {"matchers": ['severity="critical"'], "receiver": "payments-page"}
    ]
    assert config["route"]["group_by"] == ["alertname", "service", "slo"]
    assert config["route"]["group_wait"] == "30s"
    assert config["inhibit_rules"][0]["equal"] == ["service", "slo"]


@pytest.mark.requires("amtool")
def test_amtool_check_config(tmp_path: Path) -> None:
    path = yamlio.write(alertmanager_config(["payments", "search"]), tmp_path / "am.yml")
    result = promtool.run("amtool", "check-config", path)
    assert result.ok, result.output
    assert "6 receivers" in result.output


def _receivers(config: Path, labels: dict[str, str]) -> list[str]:
    """The receivers `amtool config routes test` resolves a label set to."""
    pairs = [f"{name}={value}" for name, value in labels.items()]
    result = promtool.run("amtool", "config", "routes", "test", f"--config.file={config}", *pairs)
    assert result.ok, result.output
    return result.stdout.strip().split(",")


# (alert labels, receivers amtool must resolve them to)
ROUTING = [
    ({"team": "payments", "severity": "critical"}, ["payments-page"]),
    ({"team": "payments", "severity": "warning"}, ["payments-ticket"]),
    ({"team": "search", "severity": "critical"}, ["search-page"]),
    # A team with no receivers (typo, not onboarded) or no team label: the platform on-call.
    ({"team": "paymnets", "severity": "critical"}, ["platform-oncall"]),
    ({"severity": "critical"}, ["platform-oncall"]),
    ({"team": "", "severity": "critical"}, ["platform-oncall"]),
    ({"team": "paymnets", "severity": "warning"}, ["platform-default"]),
    ({"alertname": "Watchdog"}, ["platform-default"]),
]


@pytest.mark.requires("amtool")
@pytest.mark.parametrize(("labels", "expected"), ROUTING, ids=[str(r[0]) for r in ROUTING])
def test_amtool_routes(tmp_path: Path, labels: dict[str, str], expected: list[str]) -> None:
    path = yamlio.write(alertmanager_config(["payments", "search"]), tmp_path / "am.yml")
    assert _receivers(path, {"alertname": "AvailabilityBudgetFastBurn", **labels}) == expected


@pytest.mark.requires("amtool")
@pytest.mark.parametrize("team", ["payments", "search", "no-such-team", ""])
def test_every_critical_alert_pages_a_human(tmp_path: Path, team: str) -> None:
    config = alertmanager_config(["payments", "search"])
    path = yamlio.write(config, tmp_path / "am.yml")
    by_name = {r["name"]: r for r in config["receivers"]}
    labels = {"alertname": "LatencyBudgetFastBurn", "severity": "critical", "team": team}
    for receiver in _receivers(path, labels):
        assert by_name[receiver].get("pagerduty_configs"), f"{receiver} pages nobody ({labels})"


def _alert(name: str, severity: str, **labels: str) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    all_labels = {
        "alertname": name,
        "severity": severity,
        "service": "orders-api",
        "team": "payments",
        **labels,
    }
    return {
        "labels": all_labels,
        "annotations": {
            "summary": f"{name} {severity}",
            "runbook_url": f"https://runbooks.example.com/orders-api#{name}",
        },
        "startsAt": now,
    }


def _wait_for(condition: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    pytest.fail("expected notification not delivered in time")


@pytest.mark.requires("alertmanager")
@pytest.mark.timeout(180)
def test_real_alertmanager_delivers_groups_and_inhibits(tmp_path: Path, webhook: Webhook) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "slack-webhook-url").write_text(f"{webhook.url}/slack\n")
    (secrets / "pagerduty-payments-routing-key").write_text("pd-key-from-file\n")
    (secrets / "pagerduty-platform-oncall-routing-key").write_text("pd-platform-key\n")
    (secrets / "smtp-password").write_text("unused\n")
    delivery = Delivery(
        secrets_dir=str(secrets),
        pagerduty_url=f"{webhook.url}/pagerduty",
        smtp_smarthost=f"127.0.0.1:{free_port()}",  # nothing listens: email fails, others don't
    )
    timing = Timing(group_wait="1s", group_interval="2s", repeat_interval="1h")
    config = yamlio.write(alertmanager_config(["payments"], delivery, timing), tmp_path / "am.yml")
    port = free_port()
    args = [
        "alertmanager",
        f"--config.file={config}",
        f"--storage.path={tmp_path / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]
    with running(args, tmp_path / "alertmanager.log") as process:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(f"{base}/-/ready", process)
        alerts = [
            # Two pods breaching the same SLO: one grouped notification.
            _alert("AvailabilityBudgetSlowBurn", "warning", slo="availability", pod="a"),
            _alert("AvailabilityBudgetSlowBurn", "warning", slo="availability", pod="b"),
            # A page and a ticket for the same SLO: the ticket is inhibited.
            _alert("LatencyBudgetFastBurn", "critical", slo="latency"),
            _alert("LatencyBudgetSlowBurn", "warning", slo="latency"),
            # A page for a team without receivers: the platform on-call is paged.
            _alert(
                "AvailabilityBudgetFastBurn",
                "critical",
                slo="availability",
                team="unknown-team",
                service="legacy-api",
            ),
        ]
        httpx.post(f"{base}/api/v2/alerts", json=alerts, timeout=10).raise_for_status()

        _wait_for(
            lambda: len(webhook.posts("/pagerduty")) >= 2 and len(webhook.posts("/slack")) >= 3
        )
        time.sleep(5)  # > group_wait + 2 group_intervals: anything else would have arrived
        log = (tmp_path / "alertmanager.log").read_text()

        pages = {p["routing_key"]: p for p in webhook.posts("/pagerduty")}  # keys from *_file
        assert len(webhook.posts("/pagerduty")) == 2, pages
        assert set(pages) == {"pd-key-from-file", "pd-platform-key"}
        assert "LatencyBudgetFastBurn" in pages["pd-key-from-file"]["payload"]["summary"]
        assert "AvailabilityBudgetFastBurn" in pages["pd-platform-key"]["payload"]["summary"]
        assert all(p["payload"]["severity"] == "critical" for p in pages.values())

        slack = webhook.posts("/slack")
        texts = [a["text"] for msg in slack for a in msg["attachments"]]
        availability = [t for t in texts if "AvailabilityBudgetSlowBurn" in t]
        assert len(availability) == 1, texts  # grouped: one message...
        assert availability[0].count("[firing] AvailabilityBudgetSlowBurn") == 2  # ...two alerts
        # Messages arrive in any order: each goes to its team's channel, the unrouted
        # page to the platform's.
        for message in slack:
            text = " ".join(a["text"] for a in message["attachments"])
            expected = "#alerts" if "service=legacy-api" in text else "#payments-alerts"
            assert message["channel"] == expected, message
        assert {m["channel"] for m in slack} == {"#alerts", "#payments-alerts"}
        assert any("LatencyBudgetFastBurn" in t for t in texts)
        assert not any("LatencyBudgetSlowBurn" in t for t in texts), (texts, log)

        # The inhibited alert is still known to Alertmanager, marked as suppressed.
        state = httpx.get(f"{base}/api/v2/alerts", timeout=10).json()
        ticket = next(a for a in state if a["labels"]["alertname"] == "LatencyBudgetSlowBurn")
        assert ticket["status"]["state"] == "suppressed"
        assert ticket["status"]["inhibitedBy"]


def test_committed_example_matches_the_generator() -> None:
    committed = Path(__file__).resolve().parents[1] / "configs" / "alertmanager.yml"
    assert yaml.safe_load(committed.read_text()) == alertmanager_config(["payments"]), (
        "configs/alertmanager.yml drifted: regenerate it with "
        "`slipway-obs alertmanager platform/observability/examples/*.slo.yaml`"
    )


@pytest.mark.requires("amtool")
def test_amtool_accepts_committed_example() -> None:
    committed = Path(__file__).resolve().parents[1] / "configs" / "alertmanager.yml"
    result = promtool.run("amtool", "check-config", committed)
    assert result.ok, result.output
