"""hadolint over every Dockerfile."""

from __future__ import annotations

from pathlib import Path

from slipway_gates.outcome import Status
from slipway_gates.security import hadolint


def test_finds_an_unpinned_apt_install(git_repo: Path) -> None:
    (git_repo / "Dockerfile").write_text(
        "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"
    )
    result = hadolint.run(git_repo)
    assert result.status is Status.FAILED
    assert any("DL3008" in f for f in result.findings)


def test_clean_dockerfile_passes(git_repo: Path) -> None:
    (git_repo / "Dockerfile").write_text('FROM debian:12.8\nUSER 10001\nCMD ["true"]\n')
    result = hadolint.run(git_repo)
    assert result.status is Status.PASSED, result.findings


def test_no_dockerfile_is_not_run(git_repo: Path) -> None:
    assert hadolint.run(git_repo).status is Status.NOT_RUN
