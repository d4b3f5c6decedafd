# A dev VPC over two availability zones: the smallest useful network.
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

module "network" {
  source = "../.."

  name               = "slipway-example"
  environment        = "dev"
  cidr_block         = "10.99.0.0/16"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
  tags               = { example = "basic" }
}

output "subnet_cidrs" {
  description = "The subnet layout the module chose."
  value       = module.network.subnet_cidrs
}
