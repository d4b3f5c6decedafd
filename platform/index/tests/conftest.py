"""A real pypiserver per test module, on a free port, with upload credentials."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator

import pytest
from slipway_index.server import IndexServer, stop, write_htpasswd

# Made per run: no credential is written in the repository. It always starts with
# "-" as token_urlsafe's sometimes do: such a password once reached `uv publish` as an
# option ("unexpected argument '-b'"), a failure 1 run in 64 would otherwise hide.
USER = "publisher"
PASSWORD = "-" + secrets.token_urlsafe(16)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    state = tmp_path_factory.mktemp("index")
    server = IndexServer(
        state / "packages", write_htpasswd(state / "htpasswd", USER, PASSWORD), free_port()
    )
    proc = server.start(state / "pypiserver.log", state / "pypiserver.pid")
    yield server
    stop(proc, state / "pypiserver.pid")
