"""The generated GitLab pipeline's Docker (docker:dind, DOCKER_HOST=tcp://docker:2376): the
containers the e2e gate's stack and the release smoke start are reached on the daemon's
host, not on 127.0.0.1 (slipway_contract.docker_host).

Real runs through a TCP DOCKER_HOST: this machine's dockerd listens on its unix socket
only (and is shared: it is not restarted with a TCP listener), so a small TCP-to-socket
relay on 127.0.0.2 stands in for the dind service's address. The daemon behind it is
this one, so the containers' ports open here; what is checked is that the code publishes
them on the daemon's interfaces and addresses them at DOCKER_HOST's host (127.0.0.2),
where a port published on 127.0.0.1, as before, answers nothing. Not run here: a daemon
on another machine, and dind's network address translation back to the job (the e2e
gate's OTLP receiver on `local_address_toward_daemon`, unit-tested in the contract).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from slipway_contract import docker_host

DOCKER_SOCKET = Path("/var/run/docker.sock")
RELAY_HOST = "127.0.0.2"  # on lo like 127.0.0.1, but not where a 127.0.0.1 port answers
PROBE_IMAGE = "ci-docker-host-probe:1"
# A stand-in service: answers /livez and /readyz (files) on the contract's port 8000,
# read-only as UID 10001 like the release smoke runs images.
PROBE_DOCKERFILE = """\
FROM slipway/python-base:bookworm
RUN mkdir /srv/probe && echo ok > /srv/probe/livez && echo ok > /srv/probe/readyz
USER 10001:10001
CMD ["python3", "-m", "http.server", "8000", "--directory", "/srv/probe"]
"""

pytestmark = pytest.mark.requires("docker")


def _pump(source: socket.socket, target: socket.socket) -> None:
    """Copy bytes one way until EOF, then pass the half-close on (docker's attach and
    exec streams hijack the HTTP connection and rely on it)."""
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            target.sendall(chunk)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)


@contextlib.contextmanager
def tcp_relay_to_docker_socket() -> Iterator[str]:
    """tcp://127.0.0.2:<free port> relayed to the local daemon's unix socket. Hand-written
    (socat is not installed here, and no image may be pulled): 20 lines of sockets."""
    listener = socket.create_server((RELAY_HOST, 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            daemon = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            daemon.connect(str(DOCKER_SOCKET))
            for a, b in ((client, daemon), (daemon, client)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"tcp://{RELAY_HOST}:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()


@pytest.fixture(scope="module")
def probe_image() -> str:
    docker = shutil.which("docker")
    assert docker
    subprocess.run(
        [docker, "build", "-q", "-t", PROBE_IMAGE, "-"],
        input=PROBE_DOCKERFILE, text=True, capture_output=True, check=True, timeout=600,
    )  # fmt: skip
    return PROBE_IMAGE


@pytest.fixture
def tcp_docker_host(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if not DOCKER_SOCKET.is_socket():
        pytest.skip(f"no daemon socket at {DOCKER_SOCKET} to relay to")
    with tcp_relay_to_docker_socket() as endpoint:
        monkeypatch.setenv("DOCKER_HOST", endpoint)
        yield endpoint


def test_the_relay_is_a_remote_daemon_to_the_docker_cli(tcp_docker_host: str) -> None:
    done = subprocess.run(
        ["docker", "version", "--format", "{{.Server.Version}}"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert docker_host.daemon_host() == RELAY_HOST


def test_e2e_stack_reaches_its_service_at_the_daemons_host(
    tcp_docker_host: str, probe_image: str, tmp_path: Path
) -> None:
    from slipway_gates.e2e import shutdown  # noqa: PLC0415
    from slipway_gates.e2e.stack import ServiceInfo, Stack  # noqa: PLC0415

    service = ServiceInfo(tmp_path, "ci-docker-host", port=8000, dependencies=())
    stack = Stack(service, probe_image, prefix="ci-docker-host-stack")
    try:
        stack.start()  # waits for /readyz at stack.url: fails when it is not reachable
        assert urlsplit(stack.url).hostname == RELAY_HOST
        assert httpx.get(f"{stack.url}/livez", timeout=10).status_code == 200
        # The daemon is this machine's: its network gateway is local, so the OTLP
        # receiver still listens there (a dind gateway is not: see the module docstring).
        assert stack.callback_address() == stack.gateway()
        # ... and the docker-stop rounds' clients still talk to its bridge address.
        host, port = shutdown.client_address(stack)
        assert (host, port) != (RELAY_HOST, port)
        assert httpx.get(f"http://{host}:{port}/livez", timeout=10).status_code == 200
    finally:
        stack.stop()


def test_release_smoke_container_is_reached_at_the_daemons_host(
    tcp_docker_host: str, probe_image: str
) -> None:
    from slipway_delivery.containers import run_service  # noqa: PLC0415

    with run_service(probe_image, name_prefix="ci-docker-host-smoke") as running:
        assert urlsplit(running.url).hostname == RELAY_HOST
        assert httpx.get(f"{running.url}/readyz", timeout=10).status_code == 200
