# The qa stack plans with its environment inputs (mocked AWS provider).
# The environment policy itself (backups, protection, HA, NAT, subnets, WAF)
# is asserted per environment in terraform/modules/environment/tests.
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
  target          = module.environment.module.network.aws_vpc.this
  override_during = plan
  values          = { id = "vpc-0stack0000000000" }
}

run "qa_stack_plans" {
  command = plan

  assert {
    condition     = output.cluster_name == "slipway-qa"
    error_message = "qa: the stack must plan the qa environment."
  }

  assert {
    condition     = output.service_platform.vpc_id == "vpc-0stack0000000000"
    error_message = "qa: service_platform must hand the environment VPC to services."
  }
}
