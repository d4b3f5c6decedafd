# Repositories for two services.
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

module "registry" {
  source = "../.."

  environment  = "dev"
  repositories = ["orders-api", "billing-worker"]
}

output "repository_urls" {
  description = "Where CI pushes the images."
  value       = module.registry.repository_urls
}
