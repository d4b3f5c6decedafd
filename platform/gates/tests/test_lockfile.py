"""uv.lock reading: registry pins only, names normalised, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from gates_helpers import write_lock
from slipway_gates.security.lockfile import LockError, Pin, find_lock, own_packages, read_pins


def test_reads_registry_pins_and_skips_workspace_members(tmp_path: Path) -> None:
    lock = write_lock(tmp_path / "uv.lock", {"Jinja2": "2.10", "PyYAML": "6.0.2"})
    assert read_pins(lock) == [Pin("jinja2", "2.10"), Pin("pyyaml", "6.0.2")]


def test_missing_lock_names_the_file_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(LockError, match=r"uv\.lock: no such lock file \(run `uv lock` first\)"):
        read_pins(tmp_path / "uv.lock")


def test_not_a_uv_lock(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text('title = "x"\n')
    with pytest.raises(LockError, match="no \\[\\[package\\]\\] tables"):
        read_pins(tmp_path / "uv.lock")


def test_the_repository_lock_parses() -> None:
    root = Path(__file__).resolve().parents[3]
    pins = read_pins(root / "uv.lock")
    assert any(p.name == "pyyaml" for p in pins)
    assert not any(p.name.startswith("slipway-") for p in pins)


def test_a_monorepo_service_uses_its_workspace_lock(git_repo: Path) -> None:
    lock = write_lock(git_repo / "uv.lock", {"jinja2": "3.1.6"})
    service = git_repo / "services" / "my-service"
    service.mkdir(parents=True)
    assert find_lock(service) == lock
    assert own_packages(lock) == {"my-service"}
