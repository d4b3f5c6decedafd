# The audit trail of a production account.
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

module "audit" {
  source = "../.."

  name        = "slipway-prod"
  environment = "prod"
}

output "trail_arn" {
  description = "The account's audit trail."
  value       = module.audit.trail_arn
}
