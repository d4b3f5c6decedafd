"""Every installed console script keeps the one command-line convention (CONTRACTS.md,
"Command lines: exit codes and `--json`"), run as a real process the way CI and people
call it:

- `--help` exits 0;
- an unknown option exits 2 (usage), and under `--json` stdout is the usage envelope;
- one cheap data-producing subcommand with `--json` prints exactly one JSON envelope on
  stdout with slipway_contract.cli's fields, its exit code the process's.

The scripts are read from the workspace's pyproject files (the platform packages and
the rendered services): a new entry point without a case here fails the first test.
The processes run in parallel (a few seconds in all).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from slipway_contract.cli import SCHEMA, envelope
from slipway_contract.exit_codes import ExitCode
from slipway_contract.outcome import Outcome, Status

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "services" / "orders-api"
BIN = Path(sys.executable).parent  # the workspace venv: where uv installs the scripts


def _cases(tmp: Path) -> dict[str, tuple[str, ...] | None]:
    """Script -> its cheap `--json` run (None: it prints no data, e.g. a service). The
    same arguments plus an unknown option make the usage-error run (all else valid, so
    argparse's complaint is the unknown option)."""
    closed_port = "http://127.0.0.1:9"  # discard: nothing listens, the smoke fails fast
    return {
        "slipway-gates": ("e2e-kind", "--plan-only", "--service-dir", str(EXAMPLE),
                          "--chart", str(ROOT / "helm/slipway-service")),
        "slipway-release": ("version", "--repo", str(tmp / "repo")),
        "slipway-gitops": ("--tree", str(ROOT / "platform/gitops"), "check"),
        "slipway-smoke": ("--url", closed_port, "--window", "0"),
        "slipway-fleet": ("ci-workflow", "--provider", "github", "--shards", "2"),
        "slipway-obs": ("rules", str(EXAMPLE / "slo.yaml")),
        # publish needs a password and builds wheels: its usage envelope is the cheap run
        # (`serve --detach --json` is platform/index/tests/test_cli.py's)
        "slipway-index": ("publish",),
        "orders-api": None,
        "events-worker": None,
    }  # fmt: skip


def installed_scripts() -> set[str]:
    """Console scripts of the workspace members ([project.scripts] of each pyproject)."""
    names: set[str] = set()
    for pyproject in (
        *ROOT.glob("platform/*/pyproject.toml"),
        *ROOT.glob("services/*/pyproject.toml"),
    ):
        names |= set(tomllib.loads(pyproject.read_text()).get("project", {}).get("scripts", {}))
    return names


@dataclass(frozen=True)
class Run:
    argv: tuple[str, ...]
    code: int
    stdout: str
    stderr: str


def _run(script: str, *args: str) -> Run:
    env = {k: v for k, v in os.environ.items() if k != "SLIPWAY_INDEX_PASSWORD"}
    done = subprocess.run(
        [str(BIN / script), *args], capture_output=True, text=True, env=env,
        stdin=subprocess.DEVNULL, timeout=120, check=False,
    )  # fmt: skip
    return Run((script, *args), done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, str], Run]]:
    """(script, kind) -> Run for every case, started in parallel."""
    tmp = tmp_path_factory.mktemp("cli")
    repo = tmp / "repo"
    repo.mkdir()
    for git in (["init", "-q"], ["-c", "user.name=t", "-c", "user.email=t@example.com",
                                 "commit", "-q", "--allow-empty", "-m", "init"]):  # fmt: skip
        subprocess.run(["git", *git], cwd=repo, check=True, capture_output=True)
    calls: dict[tuple[str, str], tuple[str, ...]] = {}
    for script, data_run in _cases(tmp).items():
        calls[script, "help"] = (script, "--help")
        if data_run is None:
            calls[script, "unknown"] = (script, "--no-such-option")
        else:
            calls[script, "unknown"] = (script, *data_run, "--json", "--no-such-option")
            calls[script, "data"] = (script, *data_run, "--json")
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = {key: pool.submit(_run, *argv) for key, argv in calls.items()}
        yield {key: future.result() for key, future in futures.items()}


def _one_envelope(run: Run) -> dict[str, Any]:
    """stdout is exactly one JSON envelope, with the contract's fields and meanings."""
    assert run.stdout.count("\n") == 1, f"{run.argv}: stdout is not one line:\n{run.stdout}"
    doc = json.loads(run.stdout)  # one JSON value, nothing beside it
    assert set(doc) == set(envelope("x", ExitCode.OK)), run.argv
    assert doc["schema"] == SCHEMA
    assert doc["command"].split()[0] == run.argv[0]
    assert doc["exit_code"] == run.code, f"{run.argv}: envelope and process disagree"
    assert doc["result"] == ExitCode(run.code).meaning
    statuses = {s.value for s in Status}
    for outcome in doc["outcomes"]:
        assert set(outcome) == set(Outcome.passed("x", "y").as_dict()), run.argv
        assert outcome["status"] in statuses, run.argv
    return doc


def test_every_console_script_has_a_case(tmp_path: Path) -> None:
    assert installed_scripts() == set(_cases(tmp_path)), "add the new script to _cases"


@pytest.mark.parametrize("script", sorted(installed_scripts()))
def test_help_exits_0(runs: dict[tuple[str, str], Run], script: str) -> None:
    run = runs[script, "help"]
    assert run.code == ExitCode.OK, run.stderr
    assert run.stdout.startswith("usage:"), run.stdout


@pytest.mark.parametrize("script", sorted(installed_scripts()))
def test_an_unknown_option_is_a_usage_error(
    runs: dict[tuple[str, str], Run], script: str, tmp_path: Path
) -> None:
    run = runs[script, "unknown"]
    assert run.code == ExitCode.USAGE, (run.stdout, run.stderr)
    assert "--no-such-option" in run.stderr  # argparse names it for the person
    if _cases(tmp_path)[script] is not None:
        doc = _one_envelope(run)
        assert (doc["result"], doc["data"]) == ("usage", None)


@pytest.mark.parametrize(
    "script", sorted(s for s, data_run in _cases(Path()).items() if data_run is not None)
)
def test_json_prints_exactly_one_envelope(runs: dict[tuple[str, str], Run], script: str) -> None:
    run = runs[script, "data"]
    doc = _one_envelope(run)
    if script == "slipway-index":  # no password in the environment: the usage envelope
        assert run.code == ExitCode.USAGE
        assert "SLIPWAY_INDEX_PASSWORD" in doc["error"]
        return
    if script == "slipway-smoke":  # nothing listens: a finding, each check an outcome
        assert run.code == ExitCode.FINDING
        assert doc["data"]["result"] == "failed"
        assert "failed" in {o["status"] for o in doc["outcomes"]}
        return
    if script == "slipway-gates":  # the kind plan is data; the gate itself is not run
        assert run.code == ExitCode.OK, run.stderr
        assert len(doc["data"]["plan"]) > len(["create", "install", "delete"])
        return
    assert run.code == ExitCode.OK, run.stderr
    assert doc["data"], f"{run.argv}: no data in the envelope"
