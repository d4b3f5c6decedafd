"""Alertmanager configuration: route by team and severity, inhibit, group.

Every team gets two receivers: `<team>-page` (PagerDuty + Slack) for
severity=critical and `<team>-ticket` (Slack + email) for everything else.
A critical alert whose team has no receivers (a typo in `slo.yaml`, a team not
yet onboarded, no `team` label at all) still pages a human: it goes to
`platform-oncall` (PagerDuty + Slack), the platform's own on-call; other unrouted
alerts land in `platform-default` (Slack). Secrets are only ever file references
(`*_file`), mounted from a Kubernetes Secret at `secrets_dir`; the config itself
is safe to commit. A critical alert inhibits warnings of the same service and SLO
(the page already covers the ticket).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SLACK_TEXT = (
    "{{ range .Alerts }}[{{ .Status }}] {{ .Labels.alertname }}\n"
    "service={{ .Labels.service }} severity={{ .Labels.severity }}"
    "{{ if .Labels.slo }} slo={{ .Labels.slo }}{{ end }}\n"
    "{{ .Annotations.summary }}\nrunbook: {{ .Annotations.runbook_url }}\n{{ end }}"
)


@dataclass(frozen=True)
class Timing:
    """Alertmanager's defaults (30s / 5m / 4h); tests shorten them."""

    group_wait: str = "30s"
    group_interval: str = "5m"
    repeat_interval: str = "4h"


@dataclass(frozen=True)
class Delivery:
    """Where notifications go; URLs are overridable so tests can stand in for them."""

    secrets_dir: str = "/etc/alertmanager/secrets"
    smtp_smarthost: str = "smtp.example.com:587"
    smtp_from: str = "alertmanager@example.com"
    email_domain: str = "example.com"
    pagerduty_url: str = "https://events.pagerduty.com/v2/enqueue"
    default_channel: str = "#alerts"


def _slack(delivery: Delivery, team: str, severity: str) -> dict[str, Any]:
    return {
        "api_url_file": f"{delivery.secrets_dir}/slack-webhook-url",
        "channel": f"#{team}-alerts" if team else delivery.default_channel,
        "send_resolved": True,
        "title": f"[{severity}] {{{{ .GroupLabels.alertname }}}} {{{{ .GroupLabels.service }}}}",
        "text": SLACK_TEXT,
    }


# Receiver names of the platform's fallbacks. A team's receivers are `<team>-page`
# and `<team>-ticket`, so no team name can collide with these two.
PLATFORM_ONCALL = "platform-oncall"
PLATFORM_DEFAULT = "platform-default"


def _pagerduty(delivery: Delivery, routing_key: str) -> dict[str, Any]:
    return {
        "routing_key_file": f"{delivery.secrets_dir}/pagerduty-{routing_key}-routing-key",
        "url": delivery.pagerduty_url,
        "severity": "critical",
        "description": "{{ .CommonAnnotations.summary }}",
        "links": [{"href": "{{ .CommonAnnotations.runbook_url }}", "text": "runbook"}],
    }


def _team_receivers(team: str, delivery: Delivery) -> list[dict[str, Any]]:
    return [
        {
            "name": f"{team}-page",
            "pagerduty_configs": [_pagerduty(delivery, team)],
            "slack_configs": [_slack(delivery, team, "critical")],
        },
        {
            "name": f"{team}-ticket",
            "slack_configs": [_slack(delivery, team, "warning")],
            "email_configs": [
                {"to": f"{team}-oncall@{delivery.email_domain}", "send_resolved": True}
            ],
        },
    ]


def alertmanager_config(
    teams: list[str], delivery: Delivery | None = None, timing: Timing | None = None
) -> dict[str, Any]:
    """The whole alertmanager.yml as a mapping."""
    delivery = delivery or Delivery()
    timing = timing or Timing()
    routes = [
        {
            "matchers": [f'team="{team}"'],
            "receiver": f"{team}-ticket",
            "routes": [{"matchers": ['severity="critical"'], "receiver": f"{team}-page"}],
        }
        for team in sorted(set(teams))
    ]
    # After every team route: a critical alert no team claimed pages the platform on-call.
    routes.append({"matchers": ['severity="critical"'], "receiver": PLATFORM_ONCALL})
    receivers: list[dict[str, Any]] = [
        {"name": PLATFORM_DEFAULT, "slack_configs": [_slack(delivery, "", "unrouted")]},
        {
            "name": PLATFORM_ONCALL,
            "pagerduty_configs": [_pagerduty(delivery, PLATFORM_ONCALL)],
            "slack_configs": [_slack(delivery, "", "critical, unrouted")],
        },
    ]
    for team in sorted(set(teams)):
        receivers += _team_receivers(team, delivery)
    return {
        "global": {
            "resolve_timeout": "5m",
            "smtp_smarthost": delivery.smtp_smarthost,
            "smtp_from": delivery.smtp_from,
            "smtp_auth_username": delivery.smtp_from,
            "smtp_auth_password_file": f"{delivery.secrets_dir}/smtp-password",
            "smtp_require_tls": True,
        },
        "route": {
            "receiver": PLATFORM_DEFAULT,
            # One notification per SLO breach, however many pods or routes fire it.
            "group_by": ["alertname", "service", "slo"],
            "group_wait": timing.group_wait,
            "group_interval": timing.group_interval,
            "repeat_interval": timing.repeat_interval,
            "routes": routes,
        },
        "inhibit_rules": [
            {
                "source_matchers": ['severity="critical"'],
                "target_matchers": ['severity="warning"'],
                "equal": ["service", "slo"],
            }
        ],
        "receivers": receivers,
    }
