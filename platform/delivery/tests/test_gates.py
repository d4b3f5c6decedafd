"""delivery reads the gates' --json envelope: the real slipway-gates CLI, judged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from slipway_contract.outcome import Status
from slipway_delivery.gates import judge

GATES_CLI = str(Path(sys.executable).parent / "slipway-gates")


def _gate(*args: str) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    cmd = [GATES_CLI, *args]
    return cmd, subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300)


@pytest.mark.requires("hadolint")
def test_a_finding_is_failed_and_a_clean_dockerfile_passes(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM debian:bookworm\nRUN cd /tmp && apt-get install curl\n")
    cmd, done = _gate("hadolint", "--json", "--root", str(tmp_path))
    result = judge("hadolint", cmd, done.returncode, done.stdout, done.stderr)
    assert result.status is Status.FAILED, result
    assert "DL" in result.detail  # the gate's own report (hadolint rule ids) is kept

    dockerfile.write_text('FROM debian:bookworm\nUSER 10001\nCMD ["true"]\n')
    cmd, done = _gate("hadolint", "--json", "--root", str(tmp_path))
    assert judge("hadolint", cmd, done.returncode, done.stdout, done.stderr).status is (
        Status.PASSED
    )


def test_nothing_to_check_is_not_run_never_passed(tmp_path: Path) -> None:
    cmd, done = _gate("hadolint", "--json", "--root", str(tmp_path))
    result = judge("hadolint", cmd, done.returncode, done.stdout, done.stderr)
    assert result.status is Status.NOT_RUN
    assert result.as_dict()["status"] == "not-run"


def test_a_command_line_the_gates_refuse_is_not_run(tmp_path: Path) -> None:
    cmd, done = _gate("hadolint", "--json", "--root", str(tmp_path), "--no-such-option")
    result = judge("hadolint", cmd, done.returncode, done.stdout, done.stderr)
    assert result.status is Status.NOT_RUN
    assert "refused" in result.detail
    assert "--no-such-option" in result.detail


def test_output_that_is_no_envelope_is_an_error() -> None:
    # What a crash looks like: a traceback on stderr and nothing on stdout.
    result = judge("x", ["x"], 1, "", "Traceback (most recent call last):\n  ...\nKeyError: 'a'")
    assert result.status is Status.ERROR
    assert "KeyError" in result.detail
