# Plan-level tests with a mocked AWS provider: the environment policy each
# of the four stacks gets from this module, run with that stack's inputs
# (terraform/stacks/<env>/main.tf): backups (terraform/RESTORE.md), deletion
# protection and multi-AZ, NAT and subnet layout, WAF, naming, and what
# services receive.
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
  values          = { id = "vpc-0env00000000000" }
}

variables {
  image_repositories = ["orders-api", "billing-worker"]
}

run "dev_environment_policy" {
  command = plan

  variables {
    environment        = "dev"
    vpc_cidr           = "10.10.0.0/16"
    availability_zones = ["eu-west-1a", "eu-west-1b"]
    domain_name        = "dev.slipway.example.com"
    node_groups = {
      general = { instance_types = ["t4g.large"], min_size = 1, desired_size = 2, max_size = 4 }
    }
  }

  assert {
    condition     = output.database_backup_retention_days == 7
    error_message = "dev: the platform database keeps 7 days of backups (terraform/RESTORE.md)."
  }

  assert {
    condition     = module.database.final_snapshot_identifier == "platform-dev-final"
    error_message = "dev: the platform database takes a final snapshot."
  }

  assert {
    condition     = module.database.deletion_protection == false && module.database.multi_az == false
    error_message = "dev: the platform database must not be deletion-protected and multi-AZ."
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
    condition     = output.waf_enabled == false
    error_message = "dev: WAF must be off."
  }

  assert {
    condition     = output.cluster_name == "slipway-dev" && module.database.identifier == "platform-dev"
    error_message = "dev: resources are named after the environment."
  }

  assert {
    condition     = output.audit_trail == null
    error_message = "dev: no account audit trail (stage and prod only)."
  }

  assert {
    condition     = contains(output.control_plane_log_types, "audit") && length(output.control_plane_log_types) == 5
    error_message = "dev: every EKS control-plane log type is on, the Kubernetes audit log included."
  }


  assert {
    condition     = output.service_platform.vpc_id == "vpc-0env00000000000" && length(output.service_platform.data_subnet_ids) == 2
    error_message = "dev: service_platform must hand the environment VPC and data subnets to services."
  }
}

run "qa_environment_policy" {
  command = plan

  variables {
    environment        = "qa"
    vpc_cidr           = "10.20.0.0/16"
    availability_zones = ["eu-west-1a", "eu-west-1b"]
    domain_name        = "qa.slipway.example.com"
    node_groups = {
      general = { instance_types = ["t4g.large"], min_size = 1, desired_size = 2, max_size = 4 }
    }
  }

  assert {
    condition     = output.database_backup_retention_days == 7
    error_message = "qa: the platform database keeps 7 days of backups (terraform/RESTORE.md)."
  }

  assert {
    condition     = module.database.final_snapshot_identifier == "platform-qa-final"
    error_message = "qa: the platform database takes a final snapshot."
  }

  assert {
    condition     = module.database.deletion_protection == false && module.database.multi_az == false
    error_message = "qa: the platform database must not be deletion-protected and multi-AZ."
  }

  assert {
    condition     = module.network.nat_gateway_count == 1
    error_message = "qa: expected 1 NAT gateway(s)."
  }

  assert {
    condition     = module.network.subnet_cidrs.private[0] == "10.20.0.0/19" && length(module.network.data_subnet_ids) == 2
    error_message = "qa: subnet layout must follow the VPC range and span 2 AZs."
  }

  assert {
    condition     = output.waf_enabled == false
    error_message = "qa: WAF must be off."
  }

  assert {
    condition     = output.cluster_name == "slipway-qa" && module.database.identifier == "platform-qa"
    error_message = "qa: resources are named after the environment."
  }

  assert {
    condition     = output.audit_trail == null
    error_message = "qa: no account audit trail (stage and prod only)."
  }

  assert {
    condition     = contains(output.control_plane_log_types, "audit") && length(output.control_plane_log_types) == 5
    error_message = "qa: every EKS control-plane log type is on, the Kubernetes audit log included."
  }


  assert {
    condition     = output.service_platform.vpc_id == "vpc-0env00000000000" && length(output.service_platform.data_subnet_ids) == 2
    error_message = "qa: service_platform must hand the environment VPC and data subnets to services."
  }
}

run "stage_environment_policy" {
  command = plan

  variables {
    environment        = "stage"
    vpc_cidr           = "10.30.0.0/16"
    availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    domain_name        = "stage.slipway.example.com"
    node_groups = {
      general = { instance_types = ["m7g.large"], min_size = 2, desired_size = 3, max_size = 6 }
    }
  }

  assert {
    condition     = output.database_backup_retention_days == 14
    error_message = "stage: the platform database keeps 14 days of backups (terraform/RESTORE.md)."
  }

  assert {
    condition     = module.database.final_snapshot_identifier == "platform-stage-final"
    error_message = "stage: the platform database takes a final snapshot."
  }

  assert {
    condition     = module.database.deletion_protection == true && module.database.multi_az == true
    error_message = "stage: the platform database must be deletion-protected and multi-AZ."
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
    condition     = output.waf_enabled == false
    error_message = "stage: WAF must be off."
  }

  assert {
    condition     = output.cluster_name == "slipway-stage" && module.database.identifier == "platform-stage"
    error_message = "stage: resources are named after the environment."
  }

  assert {
    condition     = output.audit_trail.name == "slipway-stage-audit" && output.audit_trail.multi_region && output.audit_trail.log_file_validation && output.audit_trail.management_events == "All"
    error_message = "stage: CloudTrail records every region's management events (ECR and EKS calls included), with signed digests."
  }

  assert {
    condition     = output.audit_trail.registry_alarm_name == "slipway-stage-audit-registry-changes"
    error_message = "stage: registry changes (ECR deletions, policy changes) raise an alarm."
  }

  assert {
    condition     = contains(output.control_plane_log_types, "audit") && length(output.control_plane_log_types) == 5
    error_message = "stage: every EKS control-plane log type is on, the Kubernetes audit log included."
  }


  assert {
    condition     = output.service_platform.vpc_id == "vpc-0env00000000000" && length(output.service_platform.data_subnet_ids) == 3
    error_message = "stage: service_platform must hand the environment VPC and data subnets to services."
  }
}

run "prod_environment_policy" {
  command = plan

  variables {
    environment        = "prod"
    vpc_cidr           = "10.40.0.0/16"
    availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    domain_name        = "www.slipway.example.com"
    node_groups = {
      general = { instance_types = ["m7g.xlarge"], min_size = 3, desired_size = 3, max_size = 12 }
    }
  }

  assert {
    condition     = output.database_backup_retention_days == 35
    error_message = "prod: the platform database keeps 35 days of backups (terraform/RESTORE.md)."
  }

  assert {
    condition     = module.database.final_snapshot_identifier == "platform-prod-final"
    error_message = "prod: the platform database takes a final snapshot."
  }

  assert {
    condition     = module.database.deletion_protection == true && module.database.multi_az == true
    error_message = "prod: the platform database must be deletion-protected and multi-AZ."
  }

  assert {
    condition     = module.network.nat_gateway_count == 3
    error_message = "prod: expected 3 NAT gateway(s)."
  }

  assert {
    condition     = module.network.subnet_cidrs.private[0] == "10.40.0.0/19" && length(module.network.data_subnet_ids) == 3
    error_message = "prod: subnet layout must follow the VPC range and span 3 AZs."
  }

  assert {
    condition     = output.waf_enabled == true
    error_message = "prod: WAF must be on."
  }

  assert {
    condition     = output.cluster_name == "slipway-prod" && module.database.identifier == "platform-prod"
    error_message = "prod: resources are named after the environment."
  }

  assert {
    condition     = output.audit_trail.name == "slipway-prod-audit" && output.audit_trail.multi_region && output.audit_trail.log_file_validation && output.audit_trail.management_events == "All"
    error_message = "prod: CloudTrail records every region's management events (ECR and EKS calls included), with signed digests."
  }

  assert {
    condition     = output.audit_trail.registry_alarm_name == "slipway-prod-audit-registry-changes"
    error_message = "prod: registry changes (ECR deletions, policy changes) raise an alarm."
  }

  assert {
    condition     = contains(output.control_plane_log_types, "audit") && length(output.control_plane_log_types) == 5
    error_message = "prod: every EKS control-plane log type is on, the Kubernetes audit log included."
  }


  assert {
    condition     = output.service_platform.vpc_id == "vpc-0env00000000000" && length(output.service_platform.data_subnet_ids) == 3
    error_message = "prod: service_platform must hand the environment VPC and data subnets to services."
  }
}

run "restore_inputs_reach_the_platform_database" {
  command = plan

  variables {
    environment                = "prod"
    vpc_cidr                   = "10.40.0.0/16"
    availability_zones         = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    domain_name                = "www.slipway.example.com"
    database_identifier_suffix = "r1"
    database_restore           = { snapshot_identifier = "platform-prod-final" }
    node_groups = {
      general = { instance_types = ["m7g.xlarge"], min_size = 3, desired_size = 3, max_size = 12 }
    }
  }

  assert {
    condition     = module.database.identifier == "platform-prod-r1"
    error_message = "database_identifier_suffix must reach the platform database (terraform/RESTORE.md)."
  }
}

run "rejects_unknown_environment" {
  command = plan

  variables {
    environment        = "production"
    vpc_cidr           = "10.50.0.0/16"
    availability_zones = ["eu-west-1a", "eu-west-1b"]
    domain_name        = "x.slipway.example.com"
    node_groups = {
      general = { instance_types = ["t4g.large"], min_size = 1, desired_size = 1, max_size = 1 }
    }
  }

  expect_failures = [var.environment]
}

run "rejects_single_availability_zone_and_bad_range" {
  command = plan

  variables {
    environment        = "dev"
    vpc_cidr           = "10.50.0.0/24"
    availability_zones = ["eu-west-1a"]
    domain_name        = "dev.slipway.example.com"
    node_groups = {
      general = { instance_types = ["t4g.large"], min_size = 1, desired_size = 1, max_size = 1 }
    }
  }

  expect_failures = [var.vpc_cidr, var.availability_zones]
}
