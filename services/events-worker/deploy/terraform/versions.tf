terraform {
  # A root module pins exactly (modules give lower bounds only).
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  # State per environment: terraform init -backend-config=envs/<env>.s3.tfbackend
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      service = "events-worker"
      team    = "payments"
    }
  }
}
