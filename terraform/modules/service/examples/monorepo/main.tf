# What the template renders for a service in monorepo mode (see the module
# README): a per-service root calling this module by relative path, with the
# environment's platform facts read from the stack's remote state. Here the
# platform facts are literal so the example validates without a backend.
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

module "service" {
  source = "../.."

  name        = "orders-api"
  environment = "dev"
  team        = "payments"
  database    = true
  queue       = "rabbitmq"

  platform = {
    oidc_provider_arn         = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
    vpc_id                    = "vpc-0123456789abcdef0"
    data_subnet_ids           = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
    client_security_group_ids = ["sg-0bbbbbbbbbbbbbbb1"]
  }
}

output "service_account_annotations" {
  description = "Helm value serviceAccount.annotations."
  value       = module.service.service_account_annotations
}
