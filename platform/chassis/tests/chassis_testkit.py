"""Helpers shared by the chassis tests (a uniquely named module: tests/ has no __init__)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import h11
import httpx
from slipway_contract.env_vars import CHASSIS_ENV_VARS

HERE = Path(__file__).parent
SAMPLE_SERVICE = HERE / "sample_service.py"
PYTHON = sys.executable

# Variables the chassis reads (the contract's list); cleared so the developer's
# shell cannot leak into tests.
CHASSIS_VARS = CHASSIS_ENV_VARS


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a sample-service subprocess."""
    env = {k: v for k, v in os.environ.items() if k not in CHASSIS_VARS}
    env.update({"SERVICE_NAME": "orders-api", "APP_ENV": "dev", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


@contextmanager
def running_service(log_file: Path, **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The sample service as a real uvicorn process on a free port: (base URL, process)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [PYTHON, str(SAMPLE_SERVICE)],
        env=subprocess_env(HTTP_PORT=str(port), **env),
        stdout=log_file.open("wb"),  # a file: a full, unread pipe would block the server
        stderr=subprocess.STDOUT,
    )
    try:
        wait_started(base, process)
        yield base, process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_started(base: str, process: subprocess.Popen[bytes]) -> None:
    """Wait for `/startupz` 200 (at most 60 s on a loaded machine)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the service exited during start-up"
        try:
            if httpx.get(f"{base}/startupz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the service never reported /startupz 200")


def log_entries(log_file: Path) -> list[dict[str, Any]]:
    """The service's JSON log lines."""
    return [json.loads(line) for line in log_file.read_text().splitlines() if line.strip()]


class RawConnection:
    """One HTTP/1.1 connection driven by hand (h11): to see keep-alive and closes."""

    def __init__(self, base: str, timeout: float = 10.0) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.conn = h11.Connection(h11.CLIENT)

    def request(
        self, method: str, path: str, body: bytes = b"", headers: list[tuple[str, str]] = ()
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request, read its response: (status, headers, body)."""
        head = [("host", "localhost"), ("content-length", str(len(body))), *headers]
        for event in (h11.Request(method=method, target=path, headers=head), h11.Data(data=body)):
            self.sock.sendall(self.conn.send(event) or b"")
        self.sock.sendall(self.conn.send(h11.EndOfMessage()) or b"")
        return self.read_response()

    def read_response(self) -> tuple[int, dict[str, str], bytes]:
        status, headers, chunks = 0, {}, []
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                self.conn.receive_data(self.sock.recv(65536))
            elif isinstance(event, h11.Response):
                status = event.status_code
                headers = {k.decode(): v.decode() for k, v in event.headers}
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                if self.conn.our_state is h11.DONE and self.conn.their_state is h11.DONE:
                    self.conn.start_next_cycle()
                return status, headers, b"".join(chunks)
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError("closed before a response")

    def closed_by_server(self, within: float) -> bool:
        """True if the server closes the connection within `within` seconds."""
        self.sock.settimeout(within)
        try:
            return self.sock.recv(1) == b""
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()
