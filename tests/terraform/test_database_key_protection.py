"""The database KMS key outlives a destroy: final snapshots stay restorable.

`terraform test` applies the database module (mocked AWS provider) and then
destroys what it created, as tearing an environment down would: the destroy
must stop at the KMS key (`prevent_destroy`), naming it. A plan test cannot show
this, so the run block lives here and is written into the private copy only.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from terraform_harness import TIMEOUT_SECONDS, Terraform

APPLY_THEN_DESTROY = """
mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  # The provider validates ARNs on apply: give the mocked ones real shapes.
  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:eu-west-1:123456789012:key/0db0db0d-0db0-0db0-0db0-0db0db0db0db"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/platform-%(env)s-rds-monitoring" }
  }
}

variables {
  name                       = "platform"
  environment                = "%(env)s"
  vpc_id                     = "vpc-0123456789abcdef0"
  subnet_ids                 = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  allowed_security_group_ids = ["sg-0bbbbbbbbbbbbbbb1"]
}

run "apply_then_destroy" {
  command = apply

  assert {
    condition     = aws_db_instance.this.final_snapshot_identifier == "platform-%(env)s-final"
    error_message = "The instance leaves a final snapshot encrypted with the key."
  }
}
"""


@pytest.mark.requires("terraform")
@pytest.mark.timeout(2 * TIMEOUT_SECONDS)
def test_destroying_a_dev_database_keeps_its_kms_key(terraform: Terraform, tmp_path: Path) -> None:
    module = terraform.root / "modules" / "database"
    check = module / "destroy-check"  # -test-directory must sit inside the module
    check.mkdir(exist_ok=True)
    (check / "destroy.tftest.hcl").write_text(APPLY_THEN_DESTROY % {"env": "dev"})
    terraform.init(module, tmp_path / "data")
    proc = subprocess.run(
        ["terraform", "test", "-no-color", "-test-directory=destroy-check"],
        cwd=module,
        env={**terraform.env, "TF_DATA_DIR": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert 'run "apply_then_destroy"... pass' in output, output  # the apply itself worked
    assert "Resource aws_kms_key.this has lifecycle.prevent_destroy set" in output, output
    assert proc.returncode != 0, output
