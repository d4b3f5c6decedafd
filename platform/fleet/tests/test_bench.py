"""`slipway-fleet bench --json`: one envelope on stdout (CONTRACTS.md), the figures as data.

The smallest real run (the small test template, one member, one worker) goes through
the same update code as `slipway-fleet update`; bad counts are a usage error.
"""

from __future__ import annotations

import json
import subprocess
import sys

from slipway_contract.cli import SCHEMA


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slipway_fleet.cli", "bench", *args],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_bench_json_is_one_envelope_with_the_measured_runs() -> None:
    done = _bench("--template", "small", "--members", "1", "--jobs", "1", "--json")
    assert done.returncode == 0, done.stderr
    envelope = json.loads(done.stdout)  # all of stdout: one envelope
    assert (envelope["schema"], envelope["command"], envelope["result"]) == (
        SCHEMA,
        "slipway-fleet bench",
        "ok",
    )
    data = envelope["data"]
    assert (data["template"], data["target"]) == ("small", "2.0.0")
    [run] = data["runs"]
    assert (run["members"], run["workers"], run["summary"]["updated"]) == (1, 1, 1)
    assert run["wall_seconds"] > 0
    assert "bench: 1 members, 1 worker(s)" in done.stderr  # progress is for people: stderr


def test_bench_counts_must_be_positive_integers() -> None:
    done = _bench("--members", "20,x", "--json")
    assert done.returncode == 2
    envelope = json.loads(done.stdout)
    assert envelope["result"] == "usage"
    assert "--members '20,x': expected positive integers" in envelope["error"]
    assert "--members '20,x'" in done.stderr
