from __future__ import annotations

import sys

import pytest
from slipway_contract.runner import CommandError, run


def test_output_is_returned() -> None:
    assert run([sys.executable, "-c", "print('hi')"]).stdout == "hi\n"


def test_a_failure_names_the_command_and_its_stderr() -> None:
    with pytest.raises(CommandError) as caught:
        run([sys.executable, "-c", "import sys; sys.exit('boom')"])
    assert caught.value.returncode == 1
    assert caught.value.stderr == "boom\n"
    assert "failed (1): boom" in str(caught.value)


def test_check_false_returns_the_failure() -> None:
    assert run([sys.executable, "-c", "raise SystemExit(5)"], check=False).returncode == 5


def test_a_missing_tool_is_a_command_error() -> None:
    with pytest.raises(CommandError, match="no-such-tool-slipway is not installed"):
        run(["no-such-tool-slipway", "--version"])


def test_a_timeout_is_a_command_error() -> None:
    with pytest.raises(CommandError, match="did not finish within 1s"):
        run([sys.executable, "-c", "import time; time.sleep(30)"], timeout=1)
