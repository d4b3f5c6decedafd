"""Thin helpers over the docker CLI (the engine here has no SDK-friendly extras).

Every container and network is named with the caller's prefix (`gates-...`) so
teardown removes exactly what it created, even after a failure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slipway_contract import docker_host
from slipway_contract.runner import CommandError, run

DOCKER = "docker"


class DockerError(CommandError):
    """A docker step failed; the message carries its stderr. A CommandError, so one
    `except CommandError` covers every external tool."""

    def __init__(self, message: str, argv: Sequence[str] = (DOCKER,)) -> None:
        super().__init__(argv, message)


def docker(*args: str, check: bool = True, timeout: float | None = 300) -> str:
    try:
        return run([DOCKER, *args], check=check, timeout=timeout).stdout.strip()
    except CommandError as exc:
        raise DockerError(str(exc), exc.argv) from exc


def inspect(name: str) -> dict[str, Any]:
    data: list[dict[str, Any]] = json.loads(docker("inspect", name))
    return data[0]


def published_port(container: str, port: int) -> int:
    """The host port docker chose for a container port (`-p ADDRESS::PORT`)."""
    out = docker("port", container, f"{port}/tcp")
    try:
        return docker_host.host_port(out)
    except ValueError:
        message = f"container {container} publishes no port for {port}/tcp: {out!r}"
        raise DockerError(message) from None


def published_url(container: str, port: int) -> str:
    """The base URL of a container's published HTTP port, on the daemon's host
    (127.0.0.1 for the local daemon, DOCKER_HOST's host for a remote one: dind)."""
    return docker_host.url_of(published_port(container, port))


def network_gateway(network: str) -> str:
    config = json.loads(docker("network", "inspect", network, "--format", "{{json .IPAM.Config}}"))
    return str(config[0]["Gateway"])


def remove(*names: str) -> None:
    for name in names:
        docker("rm", "-f", "-v", name, check=False)


def logs(container: str) -> str:
    done = run([DOCKER, "logs", container], check=False)
    return done.stdout + done.stderr
