"""SAST: bandit and ruff S rules over sources (tests excluded)."""

from __future__ import annotations

from pathlib import Path

from slipway_gates.outcome import Status
from slipway_gates.security import sast

RISKY = "import subprocess\n\n\ndef run(cmd: str) -> None:\n    subprocess.call(cmd, shell=True)\n"


def test_shell_injection_is_found_by_both(git_repo: Path) -> None:
    (git_repo / "src").mkdir()
    (git_repo / "src" / "app.py").write_text(RISKY)
    bandit, ruff = sast.run(git_repo)
    assert bandit.status is Status.FAILED
    assert any("B602" in f and "src/app.py:5" in f for f in bandit.findings)
    assert ruff.status is Status.FAILED
    assert any("S602" in f for f in ruff.findings)


def test_tests_are_not_scanned_and_clean_code_passes(git_repo: Path) -> None:
    (git_repo / "tests").mkdir()
    (git_repo / "tests" / "test_x.py").write_text(RISKY)
    (git_repo / "app.py").write_text("def add(a: int, b: int) -> int:\n    return a + b\n")
    bandit, ruff = sast.run(git_repo)
    assert bandit.status is Status.PASSED, bandit.findings
    assert ruff.status is Status.PASSED, ruff.findings
    assert sast.python_sources(git_repo) == [git_repo / "app.py"]


def test_one_ruff_noqa_with_reason_justifies_the_bandit_finding_too(git_repo: Path) -> None:
    (git_repo / "server.py").write_text(
        'HOST = "0.0.0.0"  # noqa: S104 - a container listens on all interfaces\n'
        'OTHER = "0.0.0.0"\n'
    )
    bandit, ruff = sast.run(git_repo)
    assert bandit.status is Status.FAILED
    assert [f.split(" at ")[1].split(" ")[0] for f in bandit.findings] == ["server.py:2"]
    assert ruff.status is Status.FAILED
    assert len(ruff.findings) == 1
