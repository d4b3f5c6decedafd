"""scripts/provision.sh leaves alone the processes it did not start.

A user's own Prometheus and Alertmanager (here: real ones, started by the test
on free ports with their own storage) must still be running after a provision
run: the script once ran `pkill -x prometheus`, which ended any of them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROVISION = ROOT / "scripts" / "provision.sh"

pytestmark = pytest.mark.timeout(600)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{url}: the process exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback URL
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {timeout} s")


@pytest.fixture
def users_daemons(tmp_path: Path) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """A Prometheus and an Alertmanager as a user would run them (not provision's)."""
    prom_port, am_port, am_cluster = _free_port(), _free_port(), _free_port()
    (tmp_path / "prometheus.yml").write_text("global:\n  scrape_interval: 15s\n")
    alertmanager_config = "route:\n  receiver: none\nreceivers:\n  - name: none\n"
    (tmp_path / "alertmanager.yml").write_text(alertmanager_config)
    started = {
        "prometheus": subprocess.Popen(
            ["prometheus", f"--config.file={tmp_path / 'prometheus.yml'}",
             f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{prom_port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ),
        "alertmanager": subprocess.Popen(
            ["alertmanager", f"--config.file={tmp_path / 'alertmanager.yml'}",
             f"--storage.path={tmp_path / 'am'}",
             f"--web.listen-address=127.0.0.1:{am_port}",
             f"--cluster.listen-address=127.0.0.1:{am_cluster}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ),
    }  # fmt: skip
    try:
        _wait_ready(f"http://127.0.0.1:{prom_port}/-/ready", started["prometheus"])
        _wait_ready(f"http://127.0.0.1:{am_port}/-/ready", started["alertmanager"])
        yield started
    finally:
        for proc in started.values():
            proc.terminate()
            proc.wait(timeout=30)


@pytest.mark.requires("prometheus", "alertmanager", "docker")
@pytest.mark.skipif(os.geteuid() != 0, reason="provision.sh runs as root (apt-get, dockerd)")
def test_provision_leaves_a_users_prometheus_and_alertmanager_running(
    users_daemons: dict[str, subprocess.Popen[bytes]],
) -> None:
    done = subprocess.run(
        ["bash", str(PROVISION)],
        env={**os.environ, "SLIPWAY_SKIP_IMAGES": "1"},
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for name, proc in users_daemons.items():
        assert proc.poll() is None, f"provision.sh ended the user's {name} (exit {proc.returncode})"


def test_provision_script_names_no_process_to_kill() -> None:
    """No broad kill of processes by name anywhere in the script."""
    text = PROVISION.read_text()
    for broad in ("pkill", "killall"):
        assert broad not in text, f"provision.sh uses {broad}: it may end a user's process"
