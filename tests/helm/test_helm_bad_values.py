"""Bad values fail `helm template` with a message naming the value and the rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helm_render import CHART, helm_args, run_helm, write_values

pytestmark = pytest.mark.requires("helm")

CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("latest tag", {"image": {"tag": "latest"}}, ["image.tag", "'latest' is not allowed"]),
    ("Latest tag", {"image": {"tag": "Latest"}}, ["image.tag", "'latest' is not allowed"]),
    ("no tag, no digest", {"image": {"tag": ""}}, ["image.tag", "image.digest"]),
    ("bad digest", {"image": {"digest": "sha256:abc"}}, ["/image/digest"]),
    ("unknown top-level key", {"replica": 3}, ["additional properties 'replica' not allowed"]),
    ("unknown nested key", {"autoscaling": {"maxReplica": 3}}, ["'maxReplica' not allowed"]),
    ("wrong type", {"replicas": "two"}, ["/replicas", "want integer"]),
    ("unknown kind", {"app": {"kind": "lambda"}}, ["/app/kind", "http-api", "queue-worker"]),
    ("unknown strategy", {"strategy": "recreate"}, ["/strategy", "rolling", "blueGreen"]),
    ("unknown env", {"env": "production"}, ["/env", "prod"]),
    (
        "latency threshold off the buckets",
        {"analysis": {"latencyP95Seconds": 0.33}},
        ["/analysis/latencyP95Seconds", "0.3", "0.4"],
    ),
    (
        "KEDA threshold off the buckets",
        {"autoscaling": {"keda": {"latency": {"p99Seconds": 0.9}}}},
        ["/autoscaling/keda/latency/p99Seconds"],
    ),
    (
        "shutdown longer than the grace period",
        {"shutdown": {"appGraceSeconds": 40}},
        ["preStopSleepSeconds (10) + appGraceSeconds (40)", "terminationGracePeriodSeconds (45)"],
    ),
    (
        "chart-managed variable in envVars",
        {"envVars": {"SERVICE_NAME": "x"}},
        ["SERVICE_NAME", "app.name"],
    ),
    # helm drops the path of propertyNames errors; the name and the rule remain.
    ("lowercase variable name", {"envVars": {"log_level": "INFO"}}, ["'log_level'", "^[A-Z_]"]),
    ("bad log level", {"envVars": {"LOG_LEVEL": "VERBOSE"}}, ["/envVars/LOG_LEVEL"]),
    (
        "sampler ratio above 1",
        {"envVars": {"OTEL_TRACES_SAMPLER_ARG": "1.5"}},
        ["/envVars/OTEL_TRACES_SAMPLER_ARG"],
    ),
    (
        "ingress on a worker",
        {"app": {"kind": "queue-worker"}, "ingress": {"enabled": True}},
        ["ingress.enabled", "queue-worker"],
    ),
    (
        "min above max replicas",
        {"autoscaling": {"enabled": True, "minReplicas": 5, "maxReplicas": 3}},
        ["minReplicas (5) must not exceed maxReplicas (3)"],
    ),
    (
        "dependency without destination",
        {"networkPolicy": {"dependencies": [{"name": "db", "ports": [{"port": 5432}]}]}},
        ["/networkPolicy/dependencies/0"],
    ),
    ("flags not a flagd document", {"flags": {"flagz": {}}}, ["/flags", "flagz"]),
    (
        # KEDA's redis scaler wants `address` = host:port; the worker's redis:// URL
        # under `url` never connects (issue 14).
        "redis scaler pointed at the URL key",
        {
            "app": {"kind": "queue-worker"},
            "autoscaling": {
                "enabled": True,
                "engine": "keda",
                "keda": {
                    "queue": {"type": "redis", "connectionSecret": {"name": "b", "key": "url"}}
                },
            },
        },
        ["autoscaling.keda.queue.connectionSecret.key", "host:port", "address"],
    ),
    (
        "automatic promotion in prod",
        {
            "env": "prod",
            "strategy": "blueGreen",
            "rollout": {"blueGreen": {"autoPromotionEnabled": True}},
        },
        ["rollout.blueGreen.autoPromotionEnabled", "prod", "false"],
    ),
    (
        "smoke route without a slash",
        {"analysis": {"smoke": {"route": "items", "requests": 100, "durationSeconds": 60}}},
        ["/analysis/smoke/route"],
    ),
]


@pytest.mark.parametrize(("values", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_values_fail_with_a_clear_message(
    tmp_path: Path, values: dict[str, Any], expected: list[str]
) -> None:
    bad = write_values(tmp_path / "bad.yaml", values)
    proc = run_helm("template", "orders-api", str(CHART), *helm_args([bad]))
    assert proc.returncode != 0, f"helm template accepted {values}"
    for fragment in expected:
        assert fragment in proc.stderr, f"{fragment!r} missing from:\n{proc.stderr}"


def test_lint_strict_rejects_schema_violations(tmp_path: Path) -> None:
    bad = write_values(tmp_path / "bad.yaml", {"replicas": "two"})
    proc = run_helm("lint", "--strict", str(CHART), *helm_args([bad]))
    assert proc.returncode != 0
    assert "/replicas" in proc.stdout + proc.stderr


def test_lint_only_logs_template_failures(tmp_path: Path) -> None:
    """helm 4's lint downgrades a template `fail` to an INFO line and passes, so
    `helm template` (above), not lint, is the gate for rules like `latest`. This
    test pins that behaviour: if helm starts failing lint, lint becomes a gate too."""
    bad = write_values(tmp_path / "bad.yaml", {"image": {"tag": "latest"}})
    proc = run_helm("lint", "--strict", str(CHART), *helm_args([bad]))
    assert "'latest' is not allowed" in proc.stdout + proc.stderr
