# Plan-level tests with a mocked AWS provider.
mock_provider "aws" {
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

# A known bucket at plan time, to check the policy that names it.
override_resource {
  target          = aws_s3_bucket.trail
  override_during = plan
  values          = { id = "slipway-prod-audit-0001", arn = "arn:aws:s3:::slipway-prod-audit-0001" }
}

variables {
  name        = "slipway-prod"
  environment = "prod"
}

run "trail_records_every_region_signed_and_encrypted" {
  command = plan

  assert {
    condition     = aws_cloudtrail.this.is_multi_region_trail && aws_cloudtrail.this.include_global_service_events
    error_message = "The trail records every region and the global services (IAM, STS)."
  }

  assert {
    condition     = aws_cloudtrail.this.enable_log_file_validation
    error_message = "Log-file validation (signed digests) makes tampering evident."
  }

  assert {
    condition     = aws_cloudtrail.this.event_selector[0].read_write_type == "All" && aws_cloudtrail.this.event_selector[0].include_management_events
    error_message = "Every management event (ECR and EKS API calls included), reads and writes."
  }

  assert {
    condition     = aws_cloudtrail.this.name == "slipway-prod-audit" && aws_cloudwatch_log_group.trail.name == "/aws/cloudtrail/slipway-prod-audit"
    error_message = "Trail and log group are named after the environment."
  }

  assert {
    condition     = aws_cloudwatch_log_group.trail.retention_in_days == 365 && aws_s3_bucket_lifecycle_configuration.trail.rule[0].expiration[0].days == 365
    error_message = "Audit events are kept a year by default, in S3 and CloudWatch Logs."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.trail.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "Trail files are encrypted with the module's KMS key."
  }

  assert {
    condition     = aws_s3_bucket_public_access_block.trail.restrict_public_buckets && aws_s3_bucket_versioning.trail.versioning_configuration[0].status == "Enabled" && !aws_s3_bucket.trail.force_destroy
    error_message = "The audit bucket is private, versioned and never force-destroyed."
  }

  assert {
    condition     = strcontains(aws_s3_bucket_policy.trail.policy, "\"aws:SourceArn\":\"arn:aws:cloudtrail:eu-west-1:123456789012:trail/slipway-prod-audit\"") && strcontains(aws_s3_bucket_policy.trail.policy, "\"Resource\":\"arn:aws:s3:::slipway-prod-audit-0001/AWSLogs/123456789012/*\"") && strcontains(aws_s3_bucket_policy.trail.policy, "aws:SecureTransport")
    error_message = "Only this trail may write to the bucket, and only over TLS."
  }
}

run "registry_changes_raise_an_alarm" {
  command = plan

  variables {
    alarm_actions = ["arn:aws:sns:eu-west-1:123456789012:platform-oncall"]
  }

  assert {
    condition     = alltrue([for e in ["BatchDeleteImage", "DeleteRepository", "SetRepositoryPolicy", "PutImageTagMutability"] : strcontains(aws_cloudwatch_log_metric_filter.registry_changes.pattern, "($.eventName = \"${e}\")")])
    error_message = "The metric filter counts ECR deletions and policy/tag-mutability changes."
  }

  assert {
    condition     = strcontains(aws_cloudwatch_log_metric_filter.registry_changes.pattern, "$.eventSource = \"ecr.amazonaws.com\"")
    error_message = "The metric filter reads ECR's events only."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.registry_changes.threshold == 1 && aws_cloudwatch_metric_alarm.registry_changes.alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:platform-oncall"])
    error_message = "One registry change fires the alarm, which notifies the given actions."
  }
}

run "dev_and_qa_are_refused" {
  command = plan

  variables {
    environment = "dev"
  }

  expect_failures = [var.environment]
}
