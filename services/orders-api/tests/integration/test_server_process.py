"""The service as the container runs it: `python -m orders_api`, then SIGTERM.

Starts the real server process (uvicorn under the chassis' graceful server),
checks the probes and the example endpoint over TCP, and that SIGTERM turns
readiness off, drains, and exits cleanly within the grace period.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from orders_api import warmup

pytestmark = pytest.mark.timeout(120)
SRC = Path(__file__).resolve().parents[2] / "src"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = _free_port()
    env = {
        **os.environ,
        "SERVICE_NAME": "orders-api",
        "APP_ENV": "dev",
        "HTTP_PORT": str(port),
        "SHUTDOWN_GRACE_SECONDS": "4",
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "orders_api"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/startupz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"server did not start (exit {process.poll()}):\n{output}")
            time.sleep(0.2)
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_serves_then_shuts_down_gracefully(server: tuple[subprocess.Popen[str], str]) -> None:
    process, base = server
    assert httpx.get(f"{base}/readyz").status_code == 200
    created = httpx.post(
        f"{base}/items", json={"name": "blue mug", "quantity": 2, "unit_price": "9.50"}
    )
    assert created.status_code == 201, created.text

    process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    assert httpx.get(f"{base}/readyz").status_code == 503  # draining: out of the endpoints
    # uvicorn re-raises SIGTERM after its graceful shutdown: -15 is a clean exit too.
    assert process.wait(timeout=30) in {0, -signal.SIGTERM}
    lines = [json.loads(line) for line in process.stdout or [] if line.startswith("{")]
    access = [line for line in lines if line.get("route") == "/items"]
    assert access, f"expected a JSON access log line for POST /items in {lines}"
    assert len(access[0].get("trace_id", "")) == 32, access
    assert any(line.get("event") == "shutdown complete" for line in lines), lines


def test_warmup_calls_the_declared_hot_endpoints(
    server: tuple[subprocess.Popen[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, base = server
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "orders_api.warmup", "--url", base, "--rounds", "2"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "6/6 calls ok, 3 hot endpoints" in done.stdout
    # A version that does not answer is not ready: exit 1 names the endpoints.
    closed = f"http://127.0.0.1:{_free_port()}"
    assert warmup.main(["--url", closed, "--rounds", "1", "--timeout", "2"]) == 1
    assert "/readyz answered 599" in capsys.readouterr().err
    assert warmup.main(["--url", closed, "--rounds", "1", "--timeout", "2", "--json"]) == 1
    envelope = json.loads(capsys.readouterr().out)  # Slipway's one envelope, all of stdout
    assert (envelope["result"], envelope["data"]["ok"]) == ("finding", 0)
    assert {"path": "/readyz", "status": 599} in envelope["data"]["failed"]
    with pytest.raises(SystemExit) as usage:
        warmup.main(["--url", "preview:8000"])
    assert usage.value.code == 2
    assert "--url must be http(s)://" in capsys.readouterr().err
