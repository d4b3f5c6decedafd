"""A kill switch flipped through the GitOps tree changes a running container, no restart."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from delivery_helpers import FIXTURE_SERVICE
from slipway_contract.waiting import poll
from slipway_delivery import gitops_cli
from slipway_delivery.containers import run_service
from slipway_delivery.imagebuild import build_image, docker
from slipway_delivery.wheelhouse import build_wheelhouse

pytestmark = [pytest.mark.requires("docker"), pytest.mark.timeout(300)]


@pytest.fixture
def flags_dir() -> Iterator[Path]:
    """Mounted into the container like a ConfigMap volume (readable by UID 10001)."""
    with tempfile.TemporaryDirectory(prefix="delivery-flags-") as path:
        os.chmod(path, 0o755)  # noqa: S103 - the container user must traverse it
        yield Path(path)


def _wait_for_status(url: str, status: int, timeout: float = 15.0) -> int:
    """The status `url` answers once it is `status`, or the last one within `timeout` s."""
    polled = poll(
        lambda: httpx.get(url, timeout=5).status_code,
        until=lambda seen: seen == status,
        timeout=timeout,
        interval=0.2,
    )
    return polled.last


def test_kill_switch_flip_without_restart(tree: Path, flags_dir: Path) -> None:
    build_wheelhouse(FIXTURE_SERVICE)
    image = build_image(FIXTURE_SERVICE, "delivery-hello-flags", ["test"]).refs[0]
    base = ["--tree", str(tree)]
    target = ["--service", "orders-api", "--env", "prod"]
    export = [*base, "export-flags", *target, "--out", str(flags_dir / "flags.json")]
    flip = [*base, "flag", *target, "--reason", "test", "--flag", "items-kill-switch", "--variant"]

    assert gitops_cli.main([*flip, "off"]) == 0
    assert gitops_cli.main(export) == 0
    env = {"SERVICE_NAME": "orders-api", "APP_ENV": "prod", "FLAGS_FILE": "/etc/flags/flags.json"}
    with run_service(image, env=env, volumes={str(flags_dir): "/etc/flags"}) as svc:
        started = docker("inspect", "-f", "{{.State.StartedAt}}", svc.name, what="inspect")
        assert httpx.get(f"{svc.url}/items", timeout=5).status_code == 200

        assert gitops_cli.main([*flip, "on"]) == 0  # the pull request's change
        assert gitops_cli.main(export) == 0  # what Argo CD + the kubelet do with it
        assert _wait_for_status(f"{svc.url}/items", 503) == 503
        assert httpx.get(f"{svc.url}/livez", timeout=5).status_code == 200

        assert gitops_cli.main([*flip, "off"]) == 0
        assert gitops_cli.main(export) == 0
        assert _wait_for_status(f"{svc.url}/items", 200) == 200

        same = docker(
            "inspect", "-f", "{{.State.StartedAt}} {{.RestartCount}}", svc.name, what="inspect"
        )
        assert same == f"{started} 0"  # same process, never restarted
