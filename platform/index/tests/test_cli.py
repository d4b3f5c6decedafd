"""`slipway-index` as a pipeline calls it: the envelope under `--json`, usage errors exit 2."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from slipway_index.server import pid_alive

from conftest import PASSWORD, free_port


def _cli(*args: str, password: str | None = PASSWORD) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SLIPWAY_INDEX_PASSWORD"}
    if password is not None:
        env["SLIPWAY_INDEX_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "slipway_index.cli", *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_serve_detach_json_names_the_server_once_started(tmp_path: Path) -> None:
    serve = ("serve", "--detach", "--json", "--dir", str(tmp_path), "--port", str(free_port()))
    first = _cli(*serve)
    assert first.returncode == 0, first.stderr
    started = json.loads(first.stdout)  # all of stdout: one envelope
    pid = started["data"]["pid"]
    try:
        assert (started["command"], started["result"]) == ("slipway-index serve", "ok")
        assert started["data"]["started"] is True
        assert pid_alive(tmp_path / "pypiserver.pid") == pid
        again_run = _cli(*serve)
        again = json.loads(again_run.stdout)
        assert (again["data"]["pid"], again["data"]["started"]) == (pid, False)
        assert "already running" in again_run.stderr  # the person's line: stderr
    finally:
        os.kill(pid, signal.SIGTERM)  # the server this test started, by its pid


def test_a_missing_password_is_a_usage_error_with_the_usage_envelope() -> None:
    done = _cli("publish", "--json", password=None)
    assert done.returncode == 2
    envelope = json.loads(done.stdout)
    assert (envelope["result"], envelope["data"]) == ("usage", None)
    assert "set SLIPWAY_INDEX_PASSWORD" in envelope["error"]
    assert "set SLIPWAY_INDEX_PASSWORD" in done.stderr
    foreground = _cli("serve", "--json")
    assert foreground.returncode == 2
    assert "serve --json needs --detach" in json.loads(foreground.stdout)["error"]
