"""Rollout gates that can pass (issue 14 item 4), on the rendered specs:

- blueGreen pre-promotion for an HTTP API runs a smoke Job against the preview
  Service (nothing else sends it traffic), judged on the same SLO thresholds as
  the Prometheus metrics; the Job's script is run here against real HTTP
  servers (healthy, erroring, slow);
- prod promotes by hand (autoPromotionEnabled false);
- every Prometheus metric waits for data (initialDelay), the background canary
  analysis still covers every step, and no-data (inconclusive) is bounded.
The promtool side (a value on healthy and degraded series once the delay has
passed, nothing before) is in test_helm_analysis_promtool.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from helm_render import CHART, Combination, by_kind, one, render, write_values
from pod_security import violations

pytestmark = pytest.mark.requires("helm")

Manifests = list[dict[str, Any]]
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}


def seconds(duration: str) -> float:
    return sum(float(n) * _UNITS[u] for n, u in re.findall(r"(\d+)(ms|s|m|h)", duration))


@pytest.fixture
def pick(rendered_matrix: dict[Combination, Path]) -> Any:
    def get(name: str) -> Manifests:
        path = next(p for c, p in rendered_matrix.items() if c.name == name)
        return [m for m in yaml.safe_load_all(path.read_text()) if m]

    return get


def _template(manifests: Manifests, suffix: str) -> dict[str, Any]:
    return next(t for t in by_kind(manifests, "AnalysisTemplate")
                if t["metadata"]["name"].endswith(suffix))  # fmt: skip


def _smoke_container(manifests: Manifests) -> dict[str, Any]:
    (metric,) = _template(manifests, "-smoke")["spec"]["metrics"]
    return metric["provider"]["job"]["spec"]["template"]["spec"]["containers"][0]


# ------------------------------------------------------------------ blueGreen preview traffic
@pytest.mark.parametrize("env", ["qa", "prod"])
def test_blue_green_api_pre_promotion_sends_traffic_to_the_preview(pick: Any, env: str) -> None:
    manifests = pick(f"{env}-blueGreen-http-api")
    bg = one(manifests, "Rollout")["spec"]["strategy"]["blueGreen"]
    pre = [t["templateName"] for t in bg["prePromotionAnalysis"]["templates"]]
    assert pre == ["orders-api-health", "orders-api-smoke"]
    (metric,) = _template(manifests, "-smoke")["spec"]["metrics"]
    assert metric["failureLimit"] == 0
    job = metric["provider"]["job"]["spec"]
    assert job["backoffLimit"] == 0
    container = _smoke_container(manifests)
    url, requests, duration, success_min, p95_max = container["command"][3:]
    assert url == f"http://{bg['previewService']}.{env}.svc:80/readyz"
    assert int(requests) >= 100
    assert int(duration) >= 60
    # The same thresholds as the Prometheus metrics of the same analysis.
    health = {m["name"]: m for m in _template(manifests, "-health")["spec"]["metrics"]}
    assert health["success-rate"]["successCondition"].endswith(f">= {success_min}")
    assert f'le="{p95_max}"' in health["latency-p95"]["provider"]["prometheus"]["query"]
    # What the Job runs is the service's own pinned image, Pod Security "restricted".
    app = one(manifests, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == app["image"]
    assert violations(metric["provider"]["job"]["spec"]["template"]["spec"]) == []


def test_the_smoke_pod_may_reach_the_preview_and_nothing_else(pick: Any) -> None:
    manifests = pick("prod-blueGreen-http-api")
    (metric,) = _template(manifests, "-smoke")["spec"]["metrics"]
    labels = metric["provider"]["job"]["spec"]["template"]["metadata"]["labels"]
    policies = {p["metadata"]["name"]: p["spec"] for p in by_kind(manifests, "NetworkPolicy")}
    own = policies["orders-api-helm-test"]
    assert own["podSelector"]["matchLabels"].items() <= labels.items()
    assert {p["port"] for rule in own["egress"] for p in rule["ports"]} == {8000, 53}
    allow = policies["orders-api-allow"]
    assert any(
        peer.get("podSelector", {}).get("matchLabels", {}).items() <= labels.items()
        and "namespaceSelector" not in peer
        for rule in allow["ingress"]
        for peer in rule["from"]
    ), "the service's pods must accept the smoke pod on 8000"


def test_worker_blue_green_has_no_smoke_job(pick: Any) -> None:
    """A worker's preview pods consume real messages: they have data without a Job."""
    manifests = pick("prod-blueGreen-queue-worker")
    bg = one(manifests, "Rollout")["spec"]["strategy"]["blueGreen"]
    assert [t["templateName"] for t in bg["prePromotionAnalysis"]["templates"]] == [
        "events-worker-health"
    ]


@pytest.mark.parametrize(("env", "auto"), [("dev", True), ("qa", True), ("stage", True),
                                           ("prod", False)])  # fmt: skip
def test_prod_promotes_by_hand(pick: Any, env: str, auto: bool) -> None:
    for kind in ("http-api", "queue-worker"):
        bg = one(pick(f"{env}-blueGreen-{kind}"), "Rollout")["spec"]["strategy"]["blueGreen"]
        assert bg["autoPromotionEnabled"] is auto, (env, kind)


# ------------------------------------------------------------------ waiting for data
@pytest.mark.parametrize("kind", ["http-api", "queue-worker"])
def test_canary_analysis_waits_for_data_and_covers_every_step(pick: Any, kind: str) -> None:
    manifests = pick(f"prod-canary-{kind}")
    monitor = one(manifests, "ServiceMonitor")["spec"]["endpoints"][0]
    steps = one(manifests, "Rollout")["spec"]["strategy"]["canary"]["steps"]
    paused = sum(seconds(s["pause"]["duration"]) for s in steps if "pause" in s)
    for metric in _template(manifests, "-health")["spec"]["metrics"]:
        delay = seconds(metric["initialDelay"])
        # Two scrapes of the new pods inside the rate window before measuring.
        assert delay >= 2 * seconds(monitor["interval"]), metric["name"]
        # Argo ends a background run as a success when the rollout completes:
        # the measurements must still be running at the last step.
        assert delay + metric["count"] * seconds(metric["interval"]) >= paused, metric["name"]
        # No data is inconclusive (pause for a human), bounded below the run's length.
        assert 0 < metric["inconclusiveLimit"] < metric["count"], metric["name"]


# ------------------------------------------------------------------ the smoke script, for real
class _Handler(BaseHTTPRequestHandler):
    behaviour: ClassVar[dict[str, float]] = {}
    served: ClassVar[int] = 0

    def do_GET(self) -> None:
        type(self).served += 1
        time.sleep(self.behaviour.get("delay", 0.0))
        every = int(self.behaviour.get("fail_every", 0))
        status = 500 if every and type(self).served % every == 0 else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def preview() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"behaviour": {}, "served": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/readyz", handler
    server.shutdown()


@pytest.mark.parametrize(("behaviour", "passes"), [
    ({}, True),
    ({"fail_every": 10}, False),  # 90 % success < 99 %
    ({"delay": 0.35}, False),     # p95 0.35 s > 0.3 s
])  # fmt: skip
def test_smoke_script_judges_the_preview(
    pick: Any, preview: tuple[str, type[_Handler]], behaviour: dict[str, float], passes: bool
) -> None:
    """The Job's own command (python3 -c SCRIPT URL N SECONDS MIN P95), shortened to
    20 requests in 1 s, against a real HTTP server behaving healthy or degraded."""
    url, handler = preview
    handler.behaviour = behaviour
    command = _smoke_container(pick("prod-blueGreen-http-api"))["command"]
    script, success_min, p95_max = command[2], command[6], command[7]
    proc = subprocess.run(
        [sys.executable, "-c", script, url, "20", "1", success_min, p95_max],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert handler.served == 20
    assert (proc.returncode == 0) is passes, proc.stdout + proc.stderr
    assert ("passed" if passes else "failed") in proc.stdout


def test_the_smoke_pod_pulls_like_the_service(tmp_path: Path) -> None:
    """A private registry: the Job's pod gets the service's imagePullSecrets."""
    values = write_values(tmp_path / "pull.yaml", {
        "strategy": "blueGreen", "imagePullSecrets": ["registry-credentials"]})  # fmt: skip
    manifests = render([CHART / "ci" / "http-api-values.yaml", values], namespace="qa")
    (metric,) = _template(manifests, "-smoke")["spec"]["metrics"]
    pod = metric["provider"]["job"]["spec"]["template"]["spec"]
    app = one(manifests, "Deployment")["spec"]["template"]["spec"]
    assert pod["imagePullSecrets"] == app["imagePullSecrets"] == [{"name": "registry-credentials"}]
