# Restore path, as a root module: bring a prod database back from its final
# snapshot into a new instance (identifier suffix "r1") beside the old one.
# See terraform/RESTORE.md for the whole procedure.
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

module "database" {
  source = "../.."

  name                       = "platform"
  environment                = "prod"
  identifier_suffix          = "r1"
  vpc_id                     = "vpc-0123456789abcdef0"
  subnet_ids                 = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  allowed_security_group_ids = ["sg-0bbbbbbbbbbbbbbb1"]

  restore = {
    snapshot_identifier = "platform-prod-final"
  }
}

output "address" {
  description = "Endpoint of the restored database."
  value       = module.database.address
}
