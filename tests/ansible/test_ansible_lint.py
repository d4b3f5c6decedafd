"""ansible-lint (production profile) over platform/ansible."""

from __future__ import annotations

import subprocess

import pytest
from ansible_harness import ANSIBLE_DIR


@pytest.mark.requires("ansible-lint")
def test_ansible_lint_is_clean() -> None:
    proc = subprocess.run(
        ["ansible-lint", "--offline", "--nocolor"],
        cwd=ANSIBLE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Profile 'production' was required, and it passed" in output
