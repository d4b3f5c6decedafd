"""The per-environment stacks: same composition everywhere, a declared S3
backend, exact provider pins, and a passing `terraform test` for each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from terraform_harness import ENVIRONMENTS, STACKS, TERRAFORM_DIR, Terraform

SHARED_FILES = ["main.tf", "outputs.tf", "versions.tf"]


def test_one_stack_per_environment() -> None:
    assert sorted(ENVIRONMENTS) == STACKS


@pytest.mark.parametrize("name", SHARED_FILES)
def test_stacks_differ_only_in_environment_inputs(name: str) -> None:
    texts = {env: (TERRAFORM_DIR / "stacks" / env / name).read_text() for env in STACKS}
    assert len(set(texts.values())) == 1, (
        f"stacks/*/{name} must be identical: environments differ only in environment.tf "
        f"and backend.tf (differing: {sorted(texts)})"
    )


@pytest.mark.parametrize("env", STACKS)
def test_stack_declares_its_own_s3_backend(env: str) -> None:
    backend = (TERRAFORM_DIR / "stacks" / env / "backend.tf").read_text()
    assert 'backend "s3"' in backend
    assert f'key          = "stacks/{env}/terraform.tfstate"' in backend
    assert re.search(r"encrypt\s*=\s*true", backend), "state must be encrypted at rest"
    assert re.search(r"use_lockfile\s*=\s*true", backend), "state must be locked"


@pytest.mark.parametrize("env", STACKS)
def test_stack_pins_provider_exactly(env: str) -> None:
    stack = TERRAFORM_DIR / "stacks" / env
    assert re.search(r'version\s*=\s*"5\.100\.0"', (stack / "versions.tf").read_text())
    lock = (stack / ".terraform.lock.hcl").read_text()
    assert 'version     = "5.100.0"' in lock, "the committed lock file must pin aws 5.100.0"


@pytest.mark.parametrize("env", STACKS)
def test_stack_environment_file_names_its_environment(env: str) -> None:
    text = (TERRAFORM_DIR / "stacks" / env / "environment.tf").read_text()
    assert f'environment        = "{env}"' in text


def test_stacks_use_distinct_vpc_ranges() -> None:
    cidrs = [
        re.search(
            r'vpc_cidr\s*=\s*"([^"]+)"',
            (TERRAFORM_DIR / "stacks" / e / "environment.tf").read_text(),
        )
        for e in STACKS
    ]
    values = [m.group(1) for m in cidrs if m]
    assert len(values) == len(STACKS)
    assert len(set(values)) == len(values)


@pytest.mark.requires("terraform")
@pytest.mark.parametrize("env", STACKS)
def test_stack_validates_and_passes_terraform_test(
    env: str, terraform: Terraform, tmp_path: Path
) -> None:
    workdir = terraform.root / "stacks" / env
    terraform.init(workdir, tmp_path / "data")  # -backend=false: the S3 state is never touched
    terraform.run(workdir, "validate", "-no-color", data_dir=tmp_path / "data")
    result = terraform.run(workdir, "test", "-no-color", data_dir=tmp_path / "data")
    assert re.search(r"\d+ passed, 0 failed", result.stdout), result.stdout
