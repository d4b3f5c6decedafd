# A private-endpoint cluster with one managed node group.
terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

module "cluster" {
  source = "../.."

  name        = "slipway-example"
  environment = "dev"
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  node_groups = {
    general = { instance_types = ["t4g.large"], min_size = 1, desired_size = 2, max_size = 3 }
  }
}

output "oidc_provider_arn" {
  description = "Pass to the service module (platform.oidc_provider_arn)."
  value       = module.cluster.oidc_provider_arn
}
