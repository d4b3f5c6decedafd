# The stage stack planned against a mocked AWS provider: environment
# policy (backups, protection, HA, WAF), tags and subnet layout.
mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
}

# Known VPC id at plan time, to check what services receive.
override_resource {
  target          = module.network.aws_vpc.this
  override_during = plan
  values          = { id = "vpc-0stack0000000000" }
}

run "stage_environment_policy" {
  command = plan

  assert {
    condition     = module.database.backup_retention_days == 14
    error_message = "stage: the platform database keeps 14 days of backups (terraform/RESTORE.md)."
  }

  assert {
    condition     = module.database.final_snapshot_identifier == "platform-stage-final"
    error_message = "stage: the platform database takes a final snapshot."
  }

  assert {
    condition     = module.network.nat_gateway_count == 3
    error_message = "stage: expected 3 NAT gateway(s)."
  }

  assert {
    condition     = module.network.subnet_cidrs.private[0] == "10.30.0.0/19" && length(module.network.data_subnet_ids) == 3
    error_message = "stage: subnet layout must follow the VPC range and span 3 AZs."
  }

  assert {
    condition     = module.edge.waf_enabled == false
    error_message = "stage: WAF must be off."
  }

  assert {
    condition     = output.service_platform.vpc_id == "vpc-0stack0000000000"
    error_message = "stage: service_platform must hand the environment VPC to services."
  }
}
