"""`terraform fmt -check` over the whole tree (modules, stacks, tests, examples)."""

from __future__ import annotations

from pathlib import Path

import pytest
from terraform_harness import Terraform


@pytest.mark.requires("terraform")
def test_terraform_files_are_formatted(terraform: Terraform, tmp_path: Path) -> None:
    terraform.run(
        terraform.root, "fmt", "-check", "-recursive", "-diff", "-no-color", data_dir=tmp_path
    )
