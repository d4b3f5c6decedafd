"""The per-environment stacks: each is one call of modules/environment with its
inputs, re-exports its outputs under the names other roots read, declares an S3
backend, pins the provider exactly, and passes `terraform test`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from slipway_contract.environments import ENVIRONMENTS
from terraform_harness import STACKS, TERRAFORM_DIR, Terraform

# What a stack may hold: its inputs (environment.tf: the module call), the
# provider (main.tf), the re-exports (outputs.tf), the state backend, the
# exact provider pin, and the moved blocks that carried pre-module state
# into modules/environment.
STACK_FILES = {"environment.tf", "main.tf", "outputs.tf", "versions.tf", "backend.tf", "moved.tf"}
ENVIRONMENT_MODULE = "terraform/modules/environment"
BLOCK = re.compile(r'^(\w+)(?: "([^"]+)")?(?: "([^"]+)")? \{\n(.*?)^\}', re.MULTILINE | re.DOTALL)
# Read by other roots: the template's service roots (`service_platform`,
# platform/CONTRACTS.md) and operators; renaming one breaks them.
STACK_OUTPUTS = {
    "service_platform",
    "cluster_name",
    "cluster_endpoint",
    "database_address",
    "database_secret_arn",
    "repository_urls",
    "load_balancer_dns_name",
    "ingress_target_group_arn",
    "certificate_validation_records",
}


def _blocks(env: str) -> list[tuple[str, str, str, str]]:
    stack = TERRAFORM_DIR / "stacks" / env
    return [b for tf in sorted(stack.glob("*.tf")) for b in BLOCK.findall(tf.read_text())]


def test_one_stack_per_environment() -> None:
    assert sorted(ENVIRONMENTS) == STACKS


@pytest.mark.parametrize("env", STACKS)
def test_stack_holds_only_its_inputs_and_wiring(env: str) -> None:
    stack = TERRAFORM_DIR / "stacks" / env
    files = {p.name for p in stack.glob("*.tf")}
    assert files <= STACK_FILES, (
        f"stacks/{env}: unexpected {sorted(files - STACK_FILES)}; the composition lives in "
        f"{ENVIRONMENT_MODULE}, a stack holds only {sorted(STACK_FILES)}"
    )
    kinds = [kind for kind, *_ in _blocks(env)]
    assert not {"resource", "data", "variable"} & set(kinds), (
        f"stacks/{env} declares {sorted(set(kinds))}: resources and data sources belong in "
        f"{ENVIRONMENT_MODULE} (or the modules it calls)"
    )
    calls = [(name, body) for kind, name, _, body in _blocks(env) if kind == "module"]
    assert [name for name, _ in calls] == ["environment"], (
        f'stacks/{env} must make exactly one module call, `module "environment"`'
    )
    assert re.search(r'^  source\s*=\s*"\.\./\.\./modules/environment"$', calls[0][1], re.M)
    assert 'module "environment" {' in (stack / "environment.tf").read_text(), (
        f"stacks/{env}: the module call (the environment's inputs) lives in environment.tf"
    )


@pytest.mark.parametrize("name", sorted(STACK_FILES - {"environment.tf", "backend.tf"}))
def test_stack_wiring_is_the_same_everywhere(name: str) -> None:
    texts = {env: (TERRAFORM_DIR / "stacks" / env / name).read_text() for env in STACKS}
    assert len(set(texts.values())) == 1, (
        f"stacks/*/{name} must be identical: what differs between environments is "
        "environment.tf (the module's inputs) and the state key in backend.tf"
    )


@pytest.mark.parametrize("env", STACKS)
def test_stack_reexports_the_environment_outputs_under_their_names(env: str) -> None:
    outputs = {name: body for kind, name, _, body in _blocks(env) if kind == "output"}
    assert set(outputs) == STACK_OUTPUTS
    for name, body in outputs.items():
        assert re.search(rf"^  value\s*=\s*module\.environment\.{name}$", body, re.M), (
            f"stacks/{env}: output {name} must be `module.environment.{name}`"
        )
    module_outputs = (TERRAFORM_DIR / "modules" / "environment" / "outputs.tf").read_text()
    for name in STACK_OUTPUTS:
        assert f'output "{name}" {{' in module_outputs


def test_template_reads_only_outputs_the_stacks_export() -> None:
    template_root = TERRAFORM_DIR.parent / "template"
    read = set()
    for tf in [*template_root.rglob("*.tf"), *template_root.rglob("*.tf.jinja")]:
        read |= set(re.findall(r"terraform_remote_state\.\w+\.outputs\.(\w+)", tf.read_text()))
    assert read, f"{template_root} no longer reads the stacks' remote state?"
    assert read <= STACK_OUTPUTS, f"the template reads {sorted(read - STACK_OUTPUTS)}"


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
def test_stack_names_its_environment(env: str) -> None:
    text = (TERRAFORM_DIR / "stacks" / env / "environment.tf").read_text()
    assert re.search(rf'^  environment = "{env}"$', text, re.M), (
        f'stacks/{env}/environment.tf must set `environment = "{env}"`'
    )


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
