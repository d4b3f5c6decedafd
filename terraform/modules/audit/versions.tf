terraform {
  # Modules give lower bounds only; stacks pin the provider exactly.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100"
    }
  }
}
