"""scripts/migrations/: each template migration, on its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from template_rendering import ROOT

SCRIPT = ROOT / "scripts" / "migrations" / "v0_2_0_rename_rollout_answer.py"

OLD = """# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY
_commit: 0.1.0
_src_path: ../..
rollout: blueGreen
service_name: orders-api
"""


def _run(answers: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(answers)], capture_output=True, text=True, check=False
    )


def test_renames_the_answer_keeping_value_comments_and_order(tmp_path: Path) -> None:
    answers = tmp_path / ".copier-answers.yml"
    answers.write_text(OLD)
    done = _run(answers)
    assert done.returncode == 0, done.stderr
    assert answers.read_text() == OLD.replace("rollout: blueGreen", "rollout_strategy: blueGreen")
    assert "renamed answer 'rollout' to 'rollout_strategy'" in done.stderr


def test_is_idempotent(tmp_path: Path) -> None:
    answers = tmp_path / ".copier-answers.yml"
    migrated = OLD.replace("rollout:", "rollout_strategy:")
    answers.write_text(migrated)
    assert _run(answers).returncode == 0
    assert answers.read_text() == migrated


def test_missing_answers_file_is_not_an_error(tmp_path: Path) -> None:
    done = _run(tmp_path / "absent.yml")
    assert done.returncode == 0
    assert "nothing to migrate" in done.stderr


def test_usage_error_names_the_argument() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "ANSWERS_FILE" in done.stderr
