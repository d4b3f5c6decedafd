"""The e2e-kind plan: exact commands, teardown last and always, no `latest`."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from slipway_contract import waiting
from slipway_contract.environments import ENVIRONMENTS
from slipway_gates.kind import command
from slipway_gates.kind.plan import KindInputs, Step, build_plan, default_kind_config


def _inputs(tmp_path: Path, **kw: object) -> KindInputs:
    kw.setdefault("dependencies", ("postgres",))
    kw.setdefault("secret_env", {"DATABASE_URL": ("orders-api-database", "url")})
    chart = tmp_path / "chart"
    values = {"dev": (chart / "env-dev.yaml", tmp_path / "values-dev.yaml"), "prod": ()}
    return KindInputs(
        service="orders-api",
        image="127.0.0.1:5000/orders-api:1.2.3",
        chart=chart,
        values_for_env=values,
        **kw,
    )  # type: ignore[arg-type]


def test_plan_creates_loads_installs_per_env_smokes_and_tears_down(tmp_path: Path) -> None:
    steps = build_plan(_inputs(tmp_path))
    by_what = {s.what: s.shell() for s in steps}
    assert steps[0].shell() == (
        f"kind create cluster --name slipway-gates-e2e --config {default_kind_config()} --wait 120s"
    )
    assert steps[1].shell() == (
        "kind load docker-image 127.0.0.1:5000/orders-api:1.2.3 --name slipway-gates-e2e"
    )
    assert by_what["load the postgres image"] == (
        "kind load docker-image slipway/postgres:15 --name slipway-gates-e2e"
    )
    ctx = "kubectl --context kind-slipway-gates-e2e --namespace dev"
    assert by_what["[dev] start postgres"].startswith(f"{ctx} apply -f ")
    assert by_what["[dev] start postgres"].endswith("dependencies/postgres.yaml")
    assert by_what["[dev] Secret orders-api-database for the chart's secretEnv"] == (
        f"{ctx} create secret generic orders-api-database "
        "--from-literal=url=postgresql+asyncpg://postgres:postgres@postgres:5432/app"
    )
    dev_install = by_what["[dev] install the chart and wait for it"]
    assert dev_install.startswith(
        f"helm upgrade --install orders-api {tmp_path / 'chart'} "
        "--kube-context kind-slipway-gates-e2e --namespace dev"
    )
    assert (
        f"--values {tmp_path / 'chart' / 'env-dev.yaml'} --values {tmp_path / 'values-dev.yaml'}"
        in dev_install
    )
    assert "--set image.repository=127.0.0.1:5000/orders-api --set image.tag=1.2.3" in dev_install
    assert "--set image.pullPolicy=Never" in dev_install
    assert "--set serviceMonitor.enabled=false" in dev_install
    assert dev_install.endswith("--wait --timeout 5m")
    assert by_what["[dev] wait for the rollout"] == (
        f"{ctx} rollout status deployment/orders-api --timeout=5m"
    )
    smoke = next(s for s in steps if s.what == "[dev] smoke test through port-forward")
    assert smoke.smoke_paths == ("/livez", "/readyz", "/metrics")
    assert "--values" not in by_what["[prod] install the chart and wait for it"]
    order = [s.what for s in steps]
    assert order.index("[dev] wait for postgres") < order.index(
        "[dev] install the chart and wait for it"
    )
    assert [s.teardown for s in steps] == [False] * (len(steps) - 1) + [True]
    assert steps[-1].shell() == "kind delete cluster --name slipway-gates-e2e"


def test_a_secret_without_a_provider_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"secretEnv\.API_TOKEN \(Secret tok\) has no provider"):
        build_plan(_inputs(tmp_path, secret_env={"API_TOKEN": ("tok", "value")}))


@pytest.mark.parametrize("image", ["orders-api", "orders-api:latest"])
def test_untagged_or_latest_images_are_refused(tmp_path: Path, image: str) -> None:
    with pytest.raises(ValueError, match=r"latest|explicit tag"):
        build_plan(KindInputs("orders-api", image, tmp_path, {"dev": ()}))


def test_kind_config_is_a_pinned_single_node_cluster() -> None:
    config = yaml.safe_load(default_kind_config().read_text())
    assert config["kind"] == "Cluster"
    [node] = config["nodes"]
    assert node["role"] == "control-plane"
    assert node["image"].startswith("kindest/node:v1.")
    assert not node["image"].endswith("latest")


def test_teardown_runs_even_when_a_step_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ran: list[str] = []

    def fake_run(argv: tuple[str, ...], check: bool) -> None:
        ran.append(argv[0] + " " + argv[1])
        if argv[:2] == ("kind", "load"):
            raise RuntimeError("load failed")

    monkeypatch.setattr(command.subprocess, "run", fake_run)
    with pytest.raises(RuntimeError, match="load failed"):
        command.execute(build_plan(_inputs(tmp_path)))
    assert ran == ["kind create", "kind load", "kind delete"]  # nothing after the failure


def test_without_kind_the_command_skips_loudly_even_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(command.shutil, "which", lambda name: None)
    chart = tmp_path / "chart"
    chart.mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    args = argparse.Namespace(
        service_dir=tmp_path,
        service="svc",
        image="svc:0.1.0",
        chart=None,
        envs="dev,qa",
        kind_config=None,
        plan_only=False,
    )
    assert command.run(args) == 0
    out, err = capsys.readouterr()
    assert "helm upgrade --install svc" in out
    assert "e2e-kind SKIPPED: the `kind` binary is not installed" in err
    assert "Nothing above was run" in err


def test_the_example_service_plan_layers_chart_and_service_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = Path(__file__).resolve().parents[3]
    monkeypatch.chdir(repo)
    args = argparse.Namespace(service_dir=Path("services/orders-api"), service=None, image=None,
                              chart=Path("helm/slipway-service"), envs="dev,prod",
                              kind_config=None, plan_only=True)  # fmt: skip
    inputs = command.inputs_from_args(args)
    assert inputs.service == "orders-api"
    assert inputs.image == "gates-orders-api:e2e"
    assert inputs.values_for_env["dev"] == (
        Path("helm/slipway-service/environments/dev.yaml"),
        Path("services/orders-api/deploy/helm/values.yaml"),
    )
    assert inputs.dependencies == ("postgres",)
    assert inputs.secret_env == {"DATABASE_URL": ("orders-api-database", "url")}


@pytest.mark.requires("helm")
def test_the_plans_helm_arguments_render_the_real_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every install step, run as `helm template`, passes the chart's schema and renders."""
    repo = Path(__file__).resolve().parents[3]
    monkeypatch.chdir(repo)
    args = argparse.Namespace(service_dir=Path("services/orders-api"), service=None, image=None,
                              chart=Path("helm/slipway-service"), envs=",".join(ENVIRONMENTS),
                              kind_config=None, plan_only=True)  # fmt: skip
    installs = [
        s for s in build_plan(command.inputs_from_args(args)) if "install the chart" in s.what
    ]
    assert len(installs) == len(ENVIRONMENTS)
    for step in installs:
        argv = list(step.argv)
        argv[1:3] = ["template"]  # `upgrade --install` -> `template`
        for flag, takes_value in (("--kube-context", True), ("--wait", False), ("--timeout", True),
                                  ("--create-namespace", False)):  # fmt: skip
            i = argv.index(flag)
            del argv[i : i + (2 if takes_value else 1)]
        rendered = subprocess.run(argv, capture_output=True, text=True, check=False)
        assert rendered.returncode == 0, rendered.stderr
        assert "kind: Deployment" in rendered.stdout
        assert "imagePullPolicy: Never" in rendered.stdout
        assert "kind: ServiceMonitor" not in rendered.stdout


_FAKE_PORT_FORWARD = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path != "/broken" else 503)
        self.end_headers()
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
print(f"Forwarding from 127.0.0.1:{srv.server_address[1]} -> 8000", flush=True)
srv.serve_forever()
"""


class _InstantClock:
    """Stands in for `time` in slipway_contract.waiting: a sleep advances it at once."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_smoke_reads_the_forwarded_port_and_gets_each_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stand-in for `kubectl port-forward` (same stdout line, a real HTTP server)."""
    monkeypatch.setattr(waiting, "time", _InstantClock())  # the 30 s of retries, at once
    step = Step(
        "smoke", (sys.executable, "-c", _FAKE_PORT_FORWARD), smoke_paths=("/livez", "/readyz")
    )
    command._smoke(step)  # raises on any non-200
    broken = Step("smoke", (sys.executable, "-c", _FAKE_PORT_FORWARD), smoke_paths=("/broken",))
    with pytest.raises(RuntimeError, match=r"/broken never answered 200 in 30 s \(last: 503"):
        command._smoke(broken)
