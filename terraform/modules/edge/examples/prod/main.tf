# The prod entry point: TLS, HTTP->HTTPS redirect, WAF.
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

module "edge" {
  source = "../.."

  name                       = "slipway-example"
  environment                = "prod"
  vpc_id                     = "vpc-0123456789abcdef0"
  public_subnet_ids          = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  domain_name                = "api.example.com"
  ingress_security_group_ids = ["sg-0bbbbbbbbbbbbbbb1"]
}

output "load_balancer_dns_name" {
  description = "Point api.example.com here."
  value       = module.edge.load_balancer_dns_name
}
