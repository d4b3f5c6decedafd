"""platform/CONTRACTS.md (for people) says what slipway_contract (for code) holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from slipway_contract import env_vars, environments, metrics, probes
from slipway_contract.exit_codes import ExitCode
from slipway_contract.outcome import Status

CONTRACTS_MD = Path(__file__).resolve().parents[2] / "CONTRACTS.md"


@pytest.fixture(scope="module")
def text() -> str:
    return CONTRACTS_MD.read_text()


def _section(text: str, heading: str) -> str:
    """The body of the `## heading...` section, up to the next `## `."""
    match = re.search(rf"^## {re.escape(heading)}.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"CONTRACTS.md has no section starting '## {heading}'"
    return match.group(1)


def _first_column(section: str) -> list[str]:
    """The first cell of every table row, backticks and `(workers)` notes removed."""
    cells = []
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            first = line.split("|")[1].strip()
            cells.append(first)
    return cells[1:]  # without the header row


def test_duration_buckets(text: str) -> None:
    line = re.search(r"^`(0\.005 [0-9. ]+)`\.$", text, re.M)
    assert line, "CONTRACTS.md lost its one-line bucket list"
    assert tuple(float(b) for b in line.group(1).split()) == metrics.DURATION_BUCKETS


def test_metric_names(text: str) -> None:
    rows = _first_column(_section(text, "Metrics exported by the chassis"))
    names = tuple(re.match(r"`(\w+)`", row).group(1) for row in rows)  # type: ignore[union-attr]
    assert names == metrics.METRIC_NAMES


def test_env_var_names(text: str) -> None:
    rows = _first_column(_section(text, "Environment variables read by the chassis"))
    names = tuple(re.match(r"`(\w+)`", row).group(1) for row in rows)  # type: ignore[union-attr]
    assert names == env_vars.CHASSIS_ENV_VARS


def test_probe_paths_and_port(text: str) -> None:
    section = _section(text, "HTTP endpoints served by every service")
    assert tuple(c.strip("`") for c in _first_column(section)) == probes.PROBE_PATHS
    assert f"Container port: `{probes.CONTAINER_PORT}`" in section


def test_environments(text: str) -> None:
    section = _section(text, "Environments")
    listed = re.findall(r"`(\w+)`", section.split(":")[0])
    assert tuple(listed) == environments.ENVIRONMENTS


def test_exit_codes(text: str) -> None:
    section = _section(text, "Command lines: exit codes")
    rows = [line.split("|")[1:3] for line in section.splitlines() if re.match(r"\| `\d`", line)]
    assert [(int(code.strip().strip("`")), meaning.strip()) for code, meaning in rows] == [
        (int(c), c.meaning) for c in ExitCode
    ]
    for status in Status:
        assert f"`{status.value}`" in section
