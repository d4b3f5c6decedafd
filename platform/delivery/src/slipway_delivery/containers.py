"""Run a service image as a throwaway container on an ephemeral port of the daemon's host
(127.0.0.1 for the local daemon; DOCKER_HOST's host for a remote one, e.g. GitLab's dind)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
from slipway_contract import docker_host, probes
from slipway_contract.waiting import WaitTimeoutError, wait_until

from slipway_delivery.errors import DeliveryError
from slipway_delivery.imagebuild import docker

CONTAINER_PORT = 8000  # CONTRACTS.md


@dataclass(frozen=True)
class RunningService:
    """A started container and the URL its HTTP port is published on."""

    name: str
    url: str

    def logs(self) -> str:
        return docker("logs", "--tail", "50", self.name, what="docker logs")


def _livez(url: str) -> str:
    """One look at /livez: "HTTP <status>", or the error's name when nothing answered."""
    try:
        return f"HTTP {httpx.get(f'{url}{probes.LIVEZ}', timeout=2.0).status_code}"
    except httpx.HTTPError as exc:
        return type(exc).__name__


def wait_until_live(url: str, timeout: float = 60.0) -> None:
    """Poll /livez until it answers 200; DeliveryError after `timeout` seconds."""
    try:
        wait_until(
            lambda: _livez(url),
            what=f"{url}{probes.LIVEZ} answering 200",
            until=lambda seen: seen == "HTTP 200",
            timeout=timeout,
            interval=0.3,
        )
    except WaitTimeoutError as exc:
        raise DeliveryError(
            f"{url}{probes.LIVEZ} did not answer 200 within {timeout:.0f}s (last: {exc.last})"
        ) from None


@contextlib.contextmanager
def run_service(
    image_ref: str,
    *,
    env: dict[str, str] | None = None,
    volumes: dict[str, str] | None = None,
    name_prefix: str = "delivery-smoke",
) -> Iterator[RunningService]:
    """Start `image_ref` read-only as UID 10001 (as the chart does); always removed after."""
    name = f"{name_prefix}-{secrets.token_hex(4)}"
    args = ["run", "-d", "--name", name, "-p", docker_host.publish_flag(CONTAINER_PORT)]
    args += ["--read-only", "--tmpfs", "/tmp", "--user", "10001:10001"]  # noqa: S108 - container path
    for key, value in sorted((env or {}).items()):
        args += ["-e", f"{key}={value}"]
    for host, target in sorted((volumes or {}).items()):
        args += ["-v", f"{host}:{target}:ro"]
    docker(*args, image_ref, what=f"start of {image_ref}")
    try:
        ports = docker("port", name, f"{CONTAINER_PORT}/tcp", what="docker port")
        service = RunningService(name, docker_host.url_of(docker_host.host_port(ports)))
        try:
            wait_until_live(service.url)
        except DeliveryError as exc:
            raise DeliveryError(f"{exc}\ncontainer logs:\n{service.logs()}") from None
        yield service
    finally:
        with contextlib.suppress(DeliveryError):
            docker("rm", "-f", name, what="removal of the smoke container")
