# Plan-level tests with a mocked AWS provider.
mock_provider "aws" {
  # Data sources feed ARNs that the provider validates: give them real shapes.
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
}

variables {
  environment  = "prod"
  repositories = ["orders-api", "billing-worker"]
  tags         = { team = "platform" }
}

run "immutable_scanned_encrypted" {
  command = plan

  assert {
    condition     = length(aws_ecr_repository.this) == 2
    error_message = "One repository per name."
  }

  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.image_tag_mutability == "IMMUTABLE"])
    error_message = "Tags must be immutable: a version always means the same image."
  }

  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.image_scanning_configuration[0].scan_on_push])
    error_message = "Images must be scanned on push."
  }

  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.encryption_configuration[0].encryption_type == "KMS"])
    error_message = "Repositories must be KMS-encrypted."
  }

  assert {
    condition     = aws_ecr_repository.this["orders-api"].tags["service"] == "orders-api" && aws_ecr_repository.this["orders-api"].tags["environment"] == "prod" && aws_ecr_repository.this["orders-api"].tags["team"] == "platform"
    error_message = "Repositories must carry service, environment and caller tags."
  }

  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this["orders-api"].policy).rules[0].selection.tagStatus == "untagged" && jsondecode(aws_ecr_lifecycle_policy.this["orders-api"].policy).rules[0].selection.countNumber == 7
    error_message = "Untagged images must expire after 7 days."
  }

  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this["orders-api"].policy).rules[1].selection.countNumber == 50
    error_message = "The last 50 tagged images must be kept."
  }

  assert {
    condition     = length(aws_ecr_repository_policy.pull) == 0
    error_message = "No cross-account pull policy unless principals are given."
  }
}

run "cross_account_pull" {
  command = plan

  variables {
    pull_principal_arns = ["arn:aws:iam::210987654321:role/slipway-prod-eks-node"]
  }

  assert {
    condition     = length(aws_ecr_repository_policy.pull) == 2
    error_message = "Every repository gets the pull policy when principals are given."
  }
}

run "rejects_bad_repository_name" {
  command = plan

  variables {
    repositories = ["Orders_API!"]
  }

  expect_failures = [var.repositories]
}
