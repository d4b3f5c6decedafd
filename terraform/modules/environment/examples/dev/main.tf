# A dev environment: what terraform/stacks/dev does, without the S3 backend.
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

  default_tags {
    tags = { environment = "dev", managed-by = "terraform", stack = "slipway-example" }
  }
}

module "environment" {
  source = "../.."

  environment        = "dev"
  vpc_cidr           = "10.90.0.0/16"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
  domain_name        = "dev.example.com"
  node_groups = {
    general = { instance_types = ["t4g.large"], min_size = 1, desired_size = 2, max_size = 4 }
  }
  image_repositories = ["orders-api"]
}

output "service_platform" {
  description = "Pass to terraform/modules/service as `platform`."
  value       = module.environment.service_platform
}
