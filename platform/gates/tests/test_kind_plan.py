"""The e2e-kind plan: exact commands, teardown last and always, no `latest`."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import yaml
from slipway_gates.kind import command
from slipway_gates.kind.plan import KindInputs, build_plan, default_kind_config


def _inputs(tmp_path: Path, **kw: object) -> KindInputs:
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
    shells = [s.shell() for s in steps]
    assert shells[0] == (
        f"kind create cluster --name slipway-gates-e2e --config {default_kind_config()} --wait 120s"
    )
    assert (
        shells[1]
        == "kind load docker-image 127.0.0.1:5000/orders-api:1.2.3 --name slipway-gates-e2e"
    )
    dev_install = shells[2]
    assert dev_install.startswith(
        f"helm upgrade --install orders-api {tmp_path / 'chart'} "
        "--kube-context kind-slipway-gates-e2e --namespace dev --create-namespace"
    )
    assert (
        f"--values {tmp_path / 'chart' / 'env-dev.yaml'} --values {tmp_path / 'values-dev.yaml'}"
        in dev_install
    )
    assert "--set image.repository=127.0.0.1:5000/orders-api --set image.tag=1.2.3" in dev_install
    assert "--set serviceMonitor.enabled=false" in dev_install
    assert dev_install.endswith("--wait --timeout 5m")
    assert shells[3] == (
        "kubectl --context kind-slipway-gates-e2e --namespace dev rollout status "
        "deployment/orders-api --timeout=5m"
    )
    assert steps[4].smoke_paths == ("/livez", "/readyz", "/metrics")
    assert "--values" not in shells[5]  # prod has no values file here: chart defaults
    assert [s.teardown for s in steps] == [False] * 8 + [True]
    assert shells[-1] == "kind delete cluster --name slipway-gates-e2e"


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
    assert ran == ["kind create", "kind load", "kind delete"]


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
