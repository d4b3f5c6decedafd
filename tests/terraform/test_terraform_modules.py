"""Every module: standard structure, documented inputs/outputs, and the real
terraform toolchain (init, validate, `terraform test` with the mocked AWS
provider) on the module and on each of its examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from terraform_harness import MODULES, TERRAFORM_DIR, Terraform

REQUIRED_FILES = ["main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"]
BLOCK = re.compile(r'^(variable|output) "([^"]+)" \{\n(.*?)^\}', re.MULTILINE | re.DOTALL)


def _blocks(module: Path, kind: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for tf in module.glob("*.tf"):
        for k, name, body in BLOCK.findall(tf.read_text()):
            if k == kind:
                found[name] = body
    return found


@pytest.mark.parametrize("module", MODULES)
def test_module_has_standard_structure(module: str) -> None:
    path = TERRAFORM_DIR / "modules" / module
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    assert not missing, f"modules/{module} lacks {missing}"
    assert list(path.glob("examples/*/main.tf")), f"modules/{module} needs examples/<scenario>/"
    assert list(path.glob("tests/*.tftest.hcl")), f"modules/{module} needs tests/*.tftest.hcl"


@pytest.mark.parametrize("module", MODULES)
def test_every_variable_is_typed_and_described(module: str) -> None:
    variables = _blocks(TERRAFORM_DIR / "modules" / module, "variable")
    assert variables, f"modules/{module} declares no variables"
    for name, body in variables.items():
        assert re.search(r"^  description\s*=", body, re.M), (
            f"{module}: variable {name} lacks description"
        )
        assert re.search(r"^  type\s*=", body, re.M), f"{module}: variable {name} lacks type"


@pytest.mark.parametrize("module", MODULES)
def test_every_output_is_described(module: str) -> None:
    outputs = _blocks(TERRAFORM_DIR / "modules" / module, "output")
    assert outputs, f"modules/{module} declares no outputs"
    for name, body in outputs.items():
        assert re.search(r"^  description\s*=", body, re.M), (
            f"{module}: output {name} lacks description"
        )


@pytest.mark.parametrize("module", MODULES)
def test_module_provider_has_lower_bound_only(module: str) -> None:
    versions = (TERRAFORM_DIR / "modules" / module / "versions.tf").read_text()
    assert re.search(r'version\s*=\s*">=\s*5\.\d+"', versions), (
        f"modules/{module}: modules constrain the aws provider with a lower bound (>=), "
        "stacks pin it exactly"
    )


@pytest.mark.requires("terraform")
@pytest.mark.parametrize("module", MODULES)
def test_module_validates_and_passes_terraform_test(
    module: str, terraform: Terraform, tmp_path: Path
) -> None:
    workdir = terraform.root / "modules" / module
    terraform.init(workdir, tmp_path / "data")
    terraform.run(workdir, "validate", "-no-color", data_dir=tmp_path / "data")
    result = terraform.run(workdir, "test", "-no-color", data_dir=tmp_path / "data")
    summary = result.stdout.strip().splitlines()[-1]
    match = re.search(r"(\d+) passed, 0 failed", summary)
    assert match, f"unexpected terraform test summary: {summary}"
    assert int(match.group(1)) >= 3, f"modules/{module}: expected at least 3 run blocks"


@pytest.mark.requires("terraform")
@pytest.mark.parametrize(
    "example",
    sorted(str(p.relative_to(TERRAFORM_DIR)) for p in TERRAFORM_DIR.glob("modules/*/examples/*")),
)
def test_example_validates(example: str, terraform: Terraform, tmp_path: Path) -> None:
    workdir = terraform.root / example
    terraform.init(workdir, tmp_path / "data")
    terraform.run(workdir, "validate", "-no-color", data_dir=tmp_path / "data")
