"""Where the Docker daemon runs, seen from here: how to publish and reach a container's port.

On a machine with its own daemon (the local socket), a port published on 127.0.0.1
is reached at 127.0.0.1. Under GitLab's docker:dind service (DOCKER_HOST=tcp://docker:2375)
or any remote daemon, a published port opens on the daemon's host, not here: it must be
published on the daemon's interfaces and reached at DOCKER_HOST's host name.
testcontainers decides the same way (`get_container_host_ip`: DOCKER_HOST's host for a
tcp:// daemon); the platform's CLIs drive the docker command line, not testcontainers,
so this is the standard-library twin of that rule for them.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - a remote daemon's interfaces, where its ports open
# DOCKER_HOST schemes that name a daemon on another host (unix:// and npipe:// are local).
REMOTE_SCHEMES = frozenset({"tcp", "http", "https", "ssh"})


def daemon_host(environ: Mapping[str, str] | None = None) -> str | None:
    """The host name of a remote daemon DOCKER_HOST names; None for a local socket.

    ValueError for a DOCKER_HOST with a scheme docker does not know or no host, so a
    typo stops the run with a message instead of containers published out of reach.
    """
    value = (os.environ if environ is None else environ).get("DOCKER_HOST", "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme in {"unix", "npipe"}:
        return None
    if parts.scheme not in REMOTE_SCHEMES or not parts.hostname:
        raise ValueError(
            f"DOCKER_HOST={value!r}: expected unix:///path/docker.sock or tcp://HOST:PORT "
            "(ssh://USER@HOST also works)"
        )
    return parts.hostname


def published_host(environ: Mapping[str, str] | None = None) -> str:
    """The host a published container port is reached at from this process."""
    return daemon_host(environ) or LOOPBACK


def publish_address(environ: Mapping[str, str] | None = None) -> str:
    """The address `docker run -p ADDRESS::PORT` publishes on: loopback for a local daemon
    (nothing else on the network reaches the test container), the daemon's interfaces for
    a remote one (loopback there is not reachable from here)."""
    return LOOPBACK if daemon_host(environ) is None else ALL_INTERFACES


def publish_flag(container_port: int, environ: Mapping[str, str] | None = None) -> str:
    """The `-p` value publishing `container_port` on an ephemeral host port docker picks."""
    return f"{publish_address(environ)}::{container_port}"


def host_port(docker_port_output: str) -> int:
    """The host port in `docker port CONTAINER PORT/tcp`'s output ("0.0.0.0:49153",
    "[::]:49153" or "127.0.0.1:49153", one line per address); ValueError when none."""
    for line in docker_port_output.splitlines():
        _, sep, port = line.strip().rpartition(":")
        if sep and port.isdigit():
            return int(port)
    raise ValueError(f"no published port in docker port's output {docker_port_output!r}")


def url_of(host_port: int, environ: Mapping[str, str] | None = None) -> str:
    """The base URL of a container's published HTTP port (`host_port` from `docker port`)."""
    return f"http://{published_host(environ)}:{host_port}"


def is_local_address(address: str) -> bool:
    """Whether `address` belongs to this machine (a server here can listen on it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((address, 0))
        except OSError:
            return False
        return True


def local_address_toward_daemon(environ: Mapping[str, str] | None = None) -> str:
    """This machine's address on the route to the daemon's host: where containers of a
    remote daemon reach a server running here (e.g. the e2e gate's OTLP receiver; the
    dind containers' traffic leaves through the dind service, onto the job's network).

    A UDP "connect" sends nothing: it only asks the kernel which local address routes there.
    """
    host = published_host(environ)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect((socket.gethostbyname(host), 9))  # port 9 (discard): any port will do
        return str(probe.getsockname()[0])
