"""`--resume` finishes only the remaining and failed members; a killed run leaves
nothing behind that the next run does not clean; two runs cannot share state."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fleet_helpers import run_fleet, write_fleet
from slipway_fleet.testing import MemberFactory, refs_snapshot


def test_resume_redoes_only_failed_members(tmp_path: Path, factory: MemberFactory) -> None:
    for name in ("one", "three"):
        factory.member(tmp_path / name, "v1.1.0")
    fleet = write_fleet(tmp_path / "fleet.yml", [{"repo": n} for n in ("one", "three")])
    state = tmp_path / "state"
    stale = state / "work" / "one-killed" / "repo"  # what a killed run leaves behind
    stale.mkdir(parents=True)
    (stale / "half-written").write_text("x")
    (tmp_path / "three").rename(tmp_path / "three-away")  # e.g. a network outage

    first = run_fleet("update", "--fleet", fleet, "--to", "2.0.0", "--state-dir", state)
    assert first.code == 1
    assert [first.member(n)["result"] for n in ("one", "three")] == ["updated", "failed"]
    assert first.member("three")["category"] == "unreachable"
    assert not (state / "work").exists()  # stale scratch wiped, own scratch removed

    (tmp_path / "three-away").rename(tmp_path / "three")
    refs = refs_snapshot(tmp_path / "one")
    log_one = (state / "logs" / "one.log").stat().st_mtime_ns
    resumed = run_fleet(
        "update", "--fleet", fleet, "--to", "2.0.0", "--resume", "--state-dir", state
    )

    assert resumed.code == 0, resumed.doc
    assert resumed.member("three")["result"] == "updated"
    assert not resumed.member("three")["from_previous_run"]
    # "one" is not processed again: its outcome comes from the saved state
    assert resumed.member("one")["from_previous_run"] is True
    assert refs_snapshot(tmp_path / "one") == refs
    assert (state / "logs" / "one.log").stat().st_mtime_ns == log_one
    assert resumed.doc["summary"]["updated"] == 2


def test_a_second_concurrent_run_is_refused(tmp_path: Path, factory: MemberFactory) -> None:
    factory.member(tmp_path / "one", "v1.1.0")
    fleet = write_fleet(tmp_path / "fleet.yml", [{"repo": "one"}])
    state = tmp_path / "state"
    state.mkdir()
    with (state / "lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "slipway_fleet.cli",
                "update",
                "--fleet",
                str(fleet),
                "--to",
                "2.0.0",
                "--state-dir",
                str(state),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    assert proc.returncode == 2
    assert "another slipway-fleet run" in proc.stderr


def test_ctrl_c_then_resume_finishes_the_rest(tmp_path: Path, factory: MemberFactory) -> None:
    names = ("one", "two", "three")
    for name in names:
        factory.member(tmp_path / name, "v1.1.0")
    fleet = write_fleet(tmp_path / "fleet.yml", [{"repo": n} for n in names])
    state = tmp_path / "state"
    command = [
        sys.executable,
        "-m",
        "slipway_fleet.cli",
        "update",
        "--fleet",
        str(fleet),
        "--to",
        "2.0.0",
        "--jobs",
        "1",
        "--state-dir",
        str(state),
        "--json",
    ]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    state_file = state / "state.json"
    for _ in range(6000):  # poll (no timing assumption) until the first member is recorded
        if state_file.is_file() and '"one"' in state_file.read_text():
            break
        if proc.poll() is not None:
            pytest.fail(f"run ended before it could be interrupted: {proc.communicate()}")
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
    stdout, stderr = proc.communicate(timeout=600)

    assert proc.returncode == 130, stderr
    envelope = json.loads(stdout)  # --json still prints what finished
    assert envelope["exit_code"] == 130
    assert envelope["result"] == "interrupted"
    partial = envelope["data"]
    assert partial["interrupted"] is True
    assert partial["members"][0]["member"] == "one"
    assert sum(partial["summary"].values()) == len(partial["members"])
    assert "three" not in {m["member"] for m in partial["members"]}
    assert "--resume" in stderr
    assert not (state / "work").exists()  # no scratch clones left behind
    recorded = json.loads(state_file.read_text())["outcomes"]
    assert recorded["one"]["result"] == "updated"
    assert "three" not in recorded  # queued behind the interrupted one: never started

    resumed = run_fleet(
        "update", "--fleet", fleet, "--to", "2.0.0", "--resume", "--state-dir", state
    )

    assert resumed.code == 0, resumed.doc
    assert [resumed.member(n)["result"] for n in names] == ["updated"] * 3
    assert resumed.member("one")["from_previous_run"] is True
    assert resumed.member("three")["from_previous_run"] is False
    for name in names:  # exactly one update branch each, no duplicates
        heads = refs_snapshot(tmp_path / name)
        assert sorted(r for r in heads if r.startswith("refs/heads/")) == [
            "refs/heads/main",
            "refs/heads/slipway-update/1.1.0-to-2.0.0",
        ]
