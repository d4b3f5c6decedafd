"""Cache warm-up in the rollout (issue 16 item 3), on the rendered specs:

- blueGreen HTTP API: the preview smoke Job's pod runs the service's warm-up
  module (`python3 -m <package>.warmup --url <preview>`) as its init container,
  so it completes before the smoke load, and the whole Job before promotion
  (prePromotionAnalysis): the version is warm before it takes traffic; the pod
  stays Pod Security "restricted" and uses the service's own image;
- canary and rolling render no warm-up: without traffic routing every pod of a
  new revision is in the Service once Ready (values.yaml `warmup` says why);
- the example service's render names a module that exists in its source, and
  the rendered command, run against real HTTP servers, passes a healthy
  preview and fails one whose hot endpoint answers 500;
- warmup.enabled without a module fails with a message naming the fix.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from helm_render import (
    CHART,
    ROOT,
    Combination,
    by_kind,
    helm_args,
    one,
    pod_specs,
    render,
    run_helm,
    service_value_files,
    write_values,
)
from pod_security import violations
from slipway_contract.environments import ENVIRONMENTS

pytestmark = pytest.mark.requires("helm")

Manifests = list[dict[str, Any]]
ORDERS_API = ROOT / "services" / "orders-api"


@pytest.fixture
def pick(rendered_matrix: dict[Combination, Path]) -> Any:
    def get(name: str) -> Manifests:
        path = next(p for c, p in rendered_matrix.items() if c.name == name)
        return [m for m in yaml.safe_load_all(path.read_text()) if m]

    return get


def _smoke_pod(manifests: Manifests) -> dict[str, Any]:
    template = next(t for t in by_kind(manifests, "AnalysisTemplate")
                    if t["metadata"]["name"].endswith("-smoke"))  # fmt: skip
    (metric,) = template["spec"]["metrics"]
    pod: dict[str, Any] = metric["provider"]["job"]["spec"]["template"]["spec"]
    return pod


def _warmup_commands(manifests: Manifests) -> list[list[str]]:
    """Every container of every pod spec (workloads, tests, analysis Jobs) running a warm-up."""
    pods = [spec for _, spec in pod_specs(manifests)]
    pods += [
        m["provider"]["job"]["spec"]["template"]["spec"]
        for t in by_kind(manifests, "AnalysisTemplate")
        for m in t["spec"]["metrics"]
        if "job" in m["provider"]
    ]
    return [
        c["command"]
        for pod in pods
        for c in pod.get("initContainers", []) + pod["containers"]
        if any(str(arg).endswith(".warmup") for arg in c.get("command", []))
    ]


# ------------------------------------------------------------- blueGreen: before the smoke load
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_blue_green_warms_the_preview_before_the_smoke_load(pick: Any, env: str) -> None:
    manifests = pick(f"{env}-blueGreen-http-api")
    bg = one(manifests, "Rollout")["spec"]["strategy"]["blueGreen"]
    # Pre-promotion: the active Service switches only after the analysis passed.
    pre = [t["templateName"] for t in bg["prePromotionAnalysis"]["templates"]]
    assert "orders-api-smoke" in pre
    pod = _smoke_pod(manifests)
    # An init container: it runs to completion (exit 0) before the smoke container starts.
    (warmup,) = pod["initContainers"]
    assert [c["name"] for c in pod["containers"]] == ["smoke"]
    assert warmup["command"] == [
        "python3", "-m", "orders_api.warmup",
        "--url", f"http://{bg['previewService']}.{env}.svc:80",
        "--rounds", "10", "--concurrency", "8",
    ]  # fmt: skip
    app = one(manifests, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert warmup["image"] == app["image"]
    assert violations(pod) == []
    # Exit 1 fails the pod (never restarted), the Job (no retry) and the metric.
    assert pod["restartPolicy"] == "Never"


@pytest.mark.parametrize("strategy", ["canary", "rolling"])
@pytest.mark.parametrize("kind", ["http-api", "queue-worker"])
def test_no_warmup_where_no_pod_exists_without_traffic(pick: Any, strategy: str, kind: str) -> None:
    assert _warmup_commands(pick(f"prod-{strategy}-{kind}")) == []


def test_worker_blue_green_has_no_warmup(pick: Any) -> None:
    assert _warmup_commands(pick("prod-blueGreen-queue-worker")) == []


# ------------------------------------------------------------------ the example service, for real
def _orders_api_blue_green(env: str = "qa") -> Manifests:
    """orders-api as its Argo CD Application renders it, switched to blueGreen."""
    return render(
        service_value_files(ORDERS_API, env),
        {"strategy": "blueGreen"},
        release="orders-api",
        namespace=env,
    )


class _Hot(BaseHTTPRequestHandler):
    broken: ClassVar[str] = ""
    paths: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.paths.append(self.path)
        status = 500 if self.broken and self.path.startswith(self.broken) else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def preview() -> Iterator[tuple[str, type[_Hot]]]:
    handler = type("Hot", (_Hot,), {"broken": "", "paths": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", handler
    server.shutdown()


@pytest.mark.parametrize(("broken", "code"), [("", 0), ("/items/", 1)])
def test_the_rendered_warmup_runs_the_services_module(
    preview: tuple[str, type[_Hot]], broken: str, code: int
) -> None:
    """The init container's command from the example's own render, with the
    interpreter and URL swapped for local ones, against a real HTTP server:
    a healthy preview passes, a hot endpoint answering 500 fails the Job."""
    url, handler = preview
    handler.broken = broken
    command = _warmup_commands(_orders_api_blue_green())[0]
    assert command[:3] == ["python3", "-m", "orders_api.warmup"]
    assert (ORDERS_API / "src" / "orders_api" / "warmup.py").is_file()
    args = command[3:]
    args[args.index("--url") + 1] = url
    proc = subprocess.run(
        [sys.executable, "-m", "orders_api.warmup", *args],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(ORDERS_API / "src")},
    )  # fmt: skip
    assert proc.returncode == code, proc.stdout + proc.stderr
    rounds = int(args[args.index("--rounds") + 1])
    hot = set(handler.paths)
    assert len(hot) >= 2, handler.paths
    assert len(handler.paths) == rounds * len(hot), handler.paths
    if broken:
        assert broken in proc.stderr
        assert "answered 500" in proc.stderr


def test_the_example_as_deployed_names_its_module() -> None:
    """orders-api deploys canary (no warm-up rendered) but carries the module for blueGreen."""
    values = yaml.safe_load((ORDERS_API / "deploy" / "helm" / "values.yaml").read_text())
    assert values["warmup"] == {"enabled": True, "module": "orders_api.warmup"}


# ------------------------------------------------------------------ bad values
@pytest.mark.parametrize(("values", "expected"), [
    ({"warmup": {"enabled": True, "module": ""}}, ["warmup.enabled", "warmup.module"]),
    ({"warmup": {"enabled": True, "module": "orders-api warmup"}}, ["/warmup/module"]),
    ({"warmup": {"enabled": True, "module": "orders_api.warmup", "rounds": 0}},
     ["/warmup/rounds"]),
])  # fmt: skip
def test_bad_warmup_values_fail_with_a_clear_message(
    tmp_path: Path, values: dict[str, Any], expected: list[str]
) -> None:
    bad = write_values(tmp_path / "bad.yaml", {"strategy": "blueGreen", **values})
    proc = run_helm("template", "orders-api", str(CHART),
                    *helm_args([CHART / "ci" / "http-api-values.yaml", bad]))  # fmt: skip
    assert proc.returncode != 0, f"helm template accepted {values}"
    for fragment in expected:
        assert fragment in proc.stderr, f"{fragment!r} missing from:\n{proc.stderr}"
