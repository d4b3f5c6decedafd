"""slipway_contract.docker_host: DOCKER_HOST decides where ports are published and reached.

The real run through a TCP DOCKER_HOST (containers started by the gates' stack and the
release smoke) is ../../../tests/template/test_ci_docker_host.py.
"""

from __future__ import annotations

import pytest
from slipway_contract import docker_host


@pytest.mark.parametrize("value", ["", "unix:///var/run/docker.sock", "npipe:////./pipe/docker"])
def test_a_local_socket_publishes_and_reaches_on_loopback(value: str) -> None:
    env = {"DOCKER_HOST": value} if value else {}
    assert docker_host.daemon_host(env) is None
    assert docker_host.publish_flag(8000, env) == "127.0.0.1::8000"
    assert docker_host.url_of(49153, env) == "http://127.0.0.1:49153"


@pytest.mark.parametrize(
    ("value", "host"),
    [
        ("tcp://docker:2375", "docker"),  # GitLab's docker:dind service, TLS off
        ("tcp://docker:2376", "docker"),  # ... and with TLS
        ("tcp://10.1.2.3:2375", "10.1.2.3"),
        ("ssh://ci@build-host", "build-host"),
    ],
)
def test_a_remote_daemon_publishes_on_its_interfaces_and_is_reached_by_name(
    value: str, host: str
) -> None:
    env = {"DOCKER_HOST": value}
    assert docker_host.daemon_host(env) == host
    assert docker_host.publish_flag(8000, env) == "0.0.0.0::8000"
    assert docker_host.url_of(49153, env) == f"http://{host}:49153"


@pytest.mark.parametrize("value", ["docker:2375", "tcp://:2375", "ftp://docker:21"])
def test_a_docker_host_that_names_no_daemon_is_refused_with_the_accepted_forms(value: str) -> None:
    with pytest.raises(ValueError, match=r"expected unix:///path/docker\.sock or tcp://HOST:PORT"):
        docker_host.daemon_host({"DOCKER_HOST": value})


@pytest.mark.parametrize(
    ("output", "port"),
    [
        ("127.0.0.1:49153\n", 49153),
        ("0.0.0.0:32768\n[::]:32768\n", 32768),
        ("[::]:32769\n", 32769),
    ],
)
def test_host_port_reads_docker_port_output(output: str, port: int) -> None:
    assert docker_host.host_port(output) == port


def test_host_port_without_a_port_says_what_docker_printed() -> None:
    with pytest.raises(ValueError, match="no published port"):
        docker_host.host_port("")


def test_the_local_address_toward_a_loopback_daemon_is_a_loopback_address() -> None:
    # The kernel's route answers; nothing is sent. Toward 127.0.0.2 it is lo's address.
    address = docker_host.local_address_toward_daemon({"DOCKER_HOST": "tcp://127.0.0.2:2375"})
    assert address.startswith("127.")


def test_is_local_address_tells_this_machines_addresses_from_others() -> None:
    assert docker_host.is_local_address("127.0.0.1")
    assert not docker_host.is_local_address("192.0.2.1")  # TEST-NET-1: never assigned
