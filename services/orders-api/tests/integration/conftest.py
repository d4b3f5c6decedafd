"""Real dependency containers and real server processes for the integration tests.

Images are the platform's test images built from the local Debian base
(`slipway/postgres:15`, `slipway/rabbitmq:3`, `slipway/redis:7`): nothing is
pulled, unless SLIPWAY_IMAGE_REGISTRY names the registry the platform team pushed
them to (slipway_contract.images; the generated pipelines set it). Ports are
published at ephemeral ports on 127.0.0.1 only, or, when DOCKER_HOST names a
remote daemon (GitLab's docker:dind), on that daemon's host, where the tests reach
them (slipway_contract.docker_host); containers are named
after the service and removed even when a test fails.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from slipway_contract import docker_host, images
from testcontainers.core.container import DockerContainer

# No registry here: testcontainers must not try to pull its Ryuk reaper image.
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

# POSTGRES_IMAGE etc. name another image; otherwise the platform's, from
# SLIPWAY_IMAGE_REGISTRY when the pipeline sets it (a hosted runner has no local build).
IMAGES = {
    "postgres": os.environ.get("POSTGRES_IMAGE") or images.reference(images.POSTGRES),
    "rabbitmq": os.environ.get("RABBITMQ_IMAGE") or images.reference(images.RABBITMQ),
    "redis": os.environ.get("REDIS_IMAGE") or images.reference(images.REDIS),
}
SRC = Path(__file__).resolve().parents[2] / "src"


def _wait_until(probe: Callable[[], object], what: str, timeout: float = 90.0) -> None:
    """Call `probe` until it stops raising; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            probe()
            return
        except Exception as exc:
            if time.monotonic() > deadline:
                pytest.fail(f"{what} not ready after {timeout:.0f}s: {exc}")
            time.sleep(0.5)


@pytest.fixture(scope="session")
def wait_until() -> Callable[..., None]:
    """`wait_until(probe, what, timeout=90)`: poll until `probe()` stops raising."""
    return _wait_until


def _port_open(host: str, port: int) -> None:
    with socket.create_connection((host, port), timeout=1):
        pass


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """A TCP port free on 127.0.0.1 right now (for a binding that must survive a restart)."""

    def pick() -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
            return port

    return pick


@pytest.fixture(scope="session")
def start_container() -> Iterator[Callable[..., tuple[DockerContainer, str, int]]]:
    """`start(kind, port, host_port=None)`: one published port; all removed at the end."""
    started: list[DockerContainer] = []

    def start(
        kind: str, port: int, host_port: int | None = None
    ) -> tuple[DockerContainer, str, int]:
        container = DockerContainer(IMAGES[kind]).with_name(
            f"orders-api-it-{kind}-{uuid.uuid4().hex[:8]}"
        )
        # Loopback for the local daemon; an ephemeral host port unless one is asked
        # for (docker-py's ("address",) / ("address", port) binding forms).
        address = docker_host.publish_address()
        binding = (address,) if host_port is None else (address, host_port)
        container.ports[f"{port}/tcp"] = binding  # type: ignore[assignment]
        container.start()
        started.append(container)
        host, mapped = docker_host.published_host(), int(container.get_exposed_port(port))
        _wait_until(lambda: _port_open(host, mapped), f"{kind} port {port}")
        return container, host, mapped

    try:
        yield start
    finally:
        for container in started:
            container.stop()


@pytest.fixture(scope="session")
def run_service(
    tmp_path_factory: pytest.TempPathFactory, free_port: Callable[[], int]
) -> Iterator[Callable[..., tuple[str, Path]]]:
    """`run(**env)`: the service as a real server process; (base URL, its JSON log file).

    Started with the given extra environment variables, ready once /startupz is 200;
    killed at the end of the session.
    """
    processes: list[subprocess.Popen[bytes]] = []

    def run(**env: str) -> tuple[str, Path]:
        port = free_port()
        log_file = tmp_path_factory.mktemp("service") / "service.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "orders_api"],
            env={
                **os.environ,
                "SERVICE_NAME": "orders-api",
                "APP_ENV": "dev",
                "HTTP_PORT": str(port),
                "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
                **env,
            },
            stdout=log_file.open("wb"),  # a file: a full, unread pipe would block the server
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        base = f"http://127.0.0.1:{port}"

        def started() -> None:
            if process.poll() is not None:
                pytest.fail(f"the service exited ({process.returncode}):\n{log_file.read_text()}")
            assert httpx.get(f"{base}/startupz", timeout=1).status_code == 200

        _wait_until(started, "the service's /startupz", 60)
        return base, log_file

    try:
        yield run
    finally:
        for process in processes:
            process.kill()
            process.wait(timeout=10)
