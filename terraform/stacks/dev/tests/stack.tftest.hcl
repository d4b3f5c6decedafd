# The dev stack planned against a mocked AWS provider: environment
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

run "dev_environment_policy" {
  command = plan

  assert {
    condition     = module.database.backup_retention_days == 7
    error_message = "dev: the platform database keeps 7 days of backups (terraform/RESTORE.md)."
  }

  assert {
    condition     = module.database.final_snapshot_identifier == "platform-dev-final"
    error_message = "dev: the platform database takes a final snapshot."
  }

  assert {
    condition     = module.network.nat_gateway_count == 1
    error_message = "dev: expected 1 NAT gateway(s)."
  }

  assert {
    condition     = module.network.subnet_cidrs.private[0] == "10.10.0.0/19" && length(module.network.data_subnet_ids) == 2
    error_message = "dev: subnet layout must follow the VPC range and span 2 AZs."
  }

  assert {
    condition     = module.edge.waf_enabled == false
    error_message = "dev: WAF must be off."
  }

  assert {
    condition     = output.service_platform.vpc_id == "vpc-0stack0000000000"
    error_message = "dev: service_platform must hand the environment VPC to services."
  }
}
