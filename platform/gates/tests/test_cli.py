"""The CLI: the commands the README and generated noxfiles rely on exist and exit right."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gates_helpers import write_lock
from slipway_gates.cli import _build_parser, main
from slipway_gates.security import checks
from slipway_gates.security.vulns import ADVISORY_DB_ENV

COMMANDS = ["security", "checkov", "sast", "vulns", "licences", "secrets", "hadolint",
            "load", "e2e", "e2e-kind"]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_every_documented_command_has_help(command: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert f"slipway-gates {command}" in readme


def test_vulns_exit_code_and_advisory_id_through_the_console_script(
    tmp_path: Path, advisory_db: Path
) -> None:
    write_lock(tmp_path / "uv.lock", {"jinja2": "2.10"})
    exe = Path(sys.executable).parent / "slipway-gates"
    done = subprocess.run(
        [str(exe), "vulns", "--root", str(tmp_path), "--vuln-mode", "offline",
         "--advisory-db", str(advisory_db)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "PYSEC-2019-217" in done.stdout
    assert "no known vulnerabilities" not in done.stdout.lower()


def test_load_names_what_is_wrong_with_the_slo_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slo = tmp_path / "slo.yaml"
    slo.write_text("service: svc\nteam: t\nrunbook_url: https://r.example.com/svc\n"
                   "slos:\n  availability:\n    objective: 0.999\n")  # fmt: skip
    args = ["load", "--service-dir", str(tmp_path), "--host", "http://127.0.0.1:9"]
    assert main(args) == 1
    assert "has no `load:` block" in capsys.readouterr().out
    slo.write_text(slo.read_text().replace("0.999", "1.5"))
    assert main(args) == 2  # an invalid spec is bad input (usage), as in slipway-obs
    assert "objective must be strictly between 0 and 1" in capsys.readouterr().out


def test_json_prints_one_envelope_on_stdout_through_the_console_script(
    tmp_path: Path, advisory_db: Path
) -> None:
    write_lock(tmp_path / "uv.lock", {"jinja2": "2.10"})
    exe = Path(sys.executable).parent / "slipway-gates"
    done = subprocess.run(
        [str(exe), "vulns", "--json", "--root", str(tmp_path), "--vuln-mode", "offline",
         "--advisory-db", str(advisory_db)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    doc = json.loads(done.stdout)  # all of stdout is the envelope
    assert (doc["command"], doc["exit_code"], doc["result"]) == (
        "slipway-gates vulns",
        1,
        "finding",
    )
    [outcome] = doc["outcomes"]
    assert outcome["status"] == "failed"
    assert any("PYSEC-2019-217" in f for f in outcome["findings"])
    assert "PYSEC-2019-217" in done.stderr  # the person's report moved to stderr


def test_a_usage_error_under_json_is_an_envelope(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["vulns", "--json", "--vuln-mode", "sideways"])
    assert exc.value.code == 2
    assert json.loads(capsys.readouterr().out)["result"] == "usage"


def test_a_check_not_run_exits_3_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # An offline vulnerability check with no advisory directory cannot run.
    write_lock(tmp_path / "uv.lock", {"jinja2": "2.10"})
    monkeypatch.delenv(ADVISORY_DB_ENV, raising=False)
    monkeypatch.setenv("CI", "true")
    args = ["vulns", "--json", "--root", str(tmp_path), "--vuln-mode", "offline"]
    assert main(args) == 3
    doc = json.loads(capsys.readouterr().out)
    assert [o["status"] for o in doc["outcomes"]] == ["not-run"]
    monkeypatch.setenv("CI", "false")
    assert main(args) == 0


def test_every_registered_check_is_a_subcommand_and_part_of_security() -> None:
    parser = _build_parser()
    subcommands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for gate in checks.GATES:
        assert gate.NAME in subcommands
        assert gate.HELP
    assert checks.names() == ("hadolint", "sast", "vulns", "licences", "secrets", "checkov")


def test_e2e_kind_takes_env_like_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    repo = Path(__file__).resolve().parents[3]
    plan = ["e2e-kind", "--plan-only", "--json", "--service-dir", str(repo / "services/orders-api"),
            "--chart", str(repo / "helm/slipway-service")]  # fmt: skip
    assert main([*plan, "--env", "dev", "--env", "prod"]) == 0
    steps = json.loads(capsys.readouterr().out)["data"]["plan"]  # the plan is the data
    installs = [s["what"] for s in steps if "install the chart" in s["what"]]
    assert installs == ["[dev] install the chart and wait for it",
                        "[prod] install the chart and wait for it"]  # fmt: skip
    # the old comma list still works; a name outside the contract is a usage error
    assert main([*plan, "--envs", "dev,staging"]) == 2
    envelope = json.loads(capsys.readouterr().out)
    assert envelope["result"] == "usage"
    assert "unknown environment(s) staging" in envelope["error"]


def test_a_missing_root_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope"
    assert main(["hadolint", "--root", str(missing), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"] == f"--root {missing}: not a directory"
