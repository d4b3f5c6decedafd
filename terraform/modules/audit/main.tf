# Audit trail of an environment's AWS account: a multi-region CloudTrail with
# log-file validation (tamper evidence), every management event (read and
# write, which includes every ECR call: pushes, deletions, policy and
# scanning changes, and the EKS API calls outside the cluster's own audit
# log), encrypted with a dedicated KMS key into a versioned, private S3
# bucket and streamed to CloudWatch Logs, where a metric filter counts the
# registry changes that rewrite history (image or repository deletions,
# registry/repository policy and tag mutability changes) and an alarm fires
# on any of them. EKS control-plane audit logs are the cluster module's
# (enabled_cluster_log_types).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  trail_name = "${var.name}-audit"
  trail_arn  = "arn:${local.partition}:cloudtrail:${local.region}:${local.account_id}:trail/${local.trail_name}"
  log_group  = "/aws/cloudtrail/${local.trail_name}"

  # Registry changes an auditor must see: they delete images or change who may.
  registry_changes = [
    "BatchDeleteImage", "DeleteRepository", "DeleteRepositoryPolicy", "SetRepositoryPolicy",
    "PutRegistryPolicy", "DeleteRegistryPolicy", "PutImageTagMutability",
    "PutRegistryScanningConfiguration", "PutLifecyclePolicy", "DeleteLifecyclePolicy",
  ]
  registry_pattern = "{ ($.eventSource = \"ecr.amazonaws.com\") && (${join(" || ", [for e in local.registry_changes : "($.eventName = \"${e}\")"])}) }"

  tags = merge(var.tags, {
    environment = var.environment
    managed-by  = "terraform"
    module      = "slipway/audit"
  })
}

resource "aws_kms_key" "this" {
  description         = "${local.trail_name}: encrypts the CloudTrail files and log group"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudTrailEncryptsThisTrail"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = ["kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceArn" = local.trail_arn }
          StringLike   = { "kms:EncryptionContext:aws:cloudtrail:arn" = "arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*" }
        }
      },
      {
        Sid       = "CloudWatchLogsEncrypts"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group}" }
        }
      },
    ]
  })
  tags = local.tags
}

resource "aws_s3_bucket" "trail" {
  #checkov:skip=CKV_AWS_144:The trail is multi-region already; replicating its bucket doubles the cost of an audit copy that CloudWatch Logs also keeps.
  #checkov:skip=CKV2_AWS_62:Nothing consumes events for trail objects; the alarm reads the CloudWatch Logs copy.
  #checkov:skip=CKV_AWS_18:This is the audit log bucket itself; logging it to another bucket would recurse (its data events are in the trail).
  bucket_prefix = "${local.trail_name}-"
  force_destroy = false # audit evidence is never deleted with the stack
  tags          = local.tags
}

resource "aws_s3_bucket_public_access_block" "trail" {
  bucket                  = aws_s3_bucket.trail.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "trail" {
  bucket = aws_s3_bucket.trail.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "trail" {
  bucket = aws_s3_bucket.trail.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "trail" {
  bucket = aws_s3_bucket.trail.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "trail" {
  bucket = aws_s3_bucket.trail.id

  rule {
    id     = "expire-after-retention"
    status = "Enabled"
    filter {}

    expiration {
      days = var.log_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 30
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_policy" "trail" {
  bucket = aws_s3_bucket.trail.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "CloudTrailChecksAcl"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:GetBucketAcl"
        Resource  = aws_s3_bucket.trail.arn
        Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }
      },
      {
        Sid       = "CloudTrailWrites"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.trail.arn}/AWSLogs/${local.account_id}/*"
        Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }
      },
      {
        Sid       = "TlsOnly"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.trail.arn, "${aws_s3_bucket.trail.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })

  depends_on = [aws_s3_bucket_public_access_block.trail]
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = local.log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = local.tags
}

resource "aws_iam_role" "trail_to_logs" {
  name = "${local.trail_name}-to-logs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }
    }]
  })
  tags = local.tags
}

resource "aws_iam_role_policy" "trail_to_logs" {
  name = "deliver-to-log-group"
  role = aws_iam_role.trail_to_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.trail.arn}:log-stream:*"
    }]
  })
}

resource "aws_cloudtrail" "this" {
  #checkov:skip=CKV_AWS_252:No SNS notification per delivered file; the registry alarm and the log group are the signals.
  name                          = local.trail_name
  s3_bucket_name                = aws_s3_bucket.trail.id
  kms_key_id                    = aws_kms_key.this.arn
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn     = aws_iam_role.trail_to_logs.arn

  event_selector {
    read_write_type           = "All"
    include_management_events = true
  }

  tags       = local.tags
  depends_on = [aws_s3_bucket_policy.trail, aws_iam_role_policy.trail_to_logs]
}

resource "aws_cloudwatch_log_metric_filter" "registry_changes" {
  name           = "${local.trail_name}-registry-changes"
  log_group_name = aws_cloudwatch_log_group.trail.name
  pattern        = local.registry_pattern

  metric_transformation {
    name      = "RegistryChanges"
    namespace = "Slipway/Audit/${var.environment}"
    value     = "1"
  }
}

resource "aws_cloudwatch_metric_alarm" "registry_changes" {
  alarm_name          = "${local.trail_name}-registry-changes"
  alarm_description   = "An ECR image/repository deletion or a registry/repository policy, tag-mutability, lifecycle or scanning change in ${var.environment}: check the trail for who and why."
  namespace           = "Slipway/Audit/${var.environment}"
  metric_name         = "RegistryChanges"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = local.tags
}
