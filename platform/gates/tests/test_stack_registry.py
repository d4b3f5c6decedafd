"""On a hosted runner the e2e stack's dependencies come from SLIPWAY_IMAGE_REGISTRY.

For real, here: the platform's redis image is published the way the platform team
does it (`python -m slipway_delivery.platform_images`, what `nox -s images` runs) to
the local registry under a path of its own, its registry reference is then removed
from this daemon (the provisioned `slipway/redis:7` stays: other tests use it), and
the stack, with SLIPWAY_IMAGE_REGISTRY pointing there, starts the dependency: docker
must pull it from the registry. A generated service's integration conftest picks
the same reference by default.
"""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from slipway_contract import images
from slipway_gates.e2e.docker_cli import docker
from slipway_gates.e2e.stack import ServiceInfo, Stack

pytestmark = [pytest.mark.requires("docker", "registry"), pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parents[3]
REGISTRY = f"127.0.0.1:5000/t15img-{os.getpid()}"


@pytest.fixture(scope="module")
def published_redis() -> Iterator[str]:
    """`slipway/redis:7` in the local registry; the reference, absent from this daemon."""
    ref = images.published(images.REDIS, REGISTRY)
    done = subprocess.run(
        [sys.executable, "-m", "slipway_delivery.platform_images",
         "--registry", REGISTRY, "--image", "redis"],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"pushing {images.REDIS} -> {ref}" in done.stdout
    assert "1 platform images in" in done.stdout
    docker("image", "rm", ref)  # untags only: slipway/redis:7 still names the image
    yield ref
    docker("image", "rm", ref, check=False)


def test_the_stack_pulls_its_dependency_from_the_registry(
    published_redis: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert docker("image", "inspect", published_redis, check=False) == "[]"
    monkeypatch.setenv(images.REGISTRY_ENV, REGISTRY)
    (tmp_path / ".copier-answers.yml").write_text(
        "service_name: svc\nport: 8000\nservice_kind: queue-worker\nqueue: redis\n"
    )
    stack = Stack(ServiceInfo.from_dir(tmp_path), image="unused-no-service-is-started")
    stack.create_network()
    try:
        stack.start_dependency("redis")
        stack.wait_dependency("redis")
        started = json.loads(docker("inspect", stack.containers["redis"]))[0]
        assert started["Config"]["Image"] == published_redis
        pulled = json.loads(docker("image", "inspect", published_redis))[0]
        assert any(d.startswith(f"{REGISTRY}/slipway/redis@sha256:") for d in pulled["RepoDigests"])
        assert started["Image"] == pulled["Id"]
    finally:
        stack.stop()


def test_a_generated_services_integration_tests_default_to_the_registry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conftest = REPO / "services" / "events-worker" / "tests" / "integration" / "conftest.py"
    monkeypatch.setenv(images.REGISTRY_ENV, REGISTRY)
    monkeypatch.delenv("REDIS_IMAGE", raising=False)
    assert runpy.run_path(str(conftest))["IMAGES"]["redis"] == f"{REGISTRY}/slipway/redis:7"
    monkeypatch.setenv("REDIS_IMAGE", "my/redis:7")  # the per-image override still wins
    assert runpy.run_path(str(conftest))["IMAGES"]["redis"] == "my/redis:7"
