"""The CLI: the commands the README and generated noxfiles rely on exist and exit right."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from gates_helpers import write_lock
from slipway_gates.cli import main

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
    assert main(args) == 1
    assert "objective must be strictly between 0 and 1" in capsys.readouterr().out
