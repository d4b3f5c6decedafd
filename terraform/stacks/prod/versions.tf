terraform {
  required_version = "~> 1.11.0"

  # Exact pin: a stack is a root module and must plan the same everywhere.
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}
