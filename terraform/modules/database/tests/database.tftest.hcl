# Plan-level tests with a mocked AWS provider. They pin the retention matrix
# documented in terraform/RESTORE.md and the restore inputs.
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

# Known key ARN at plan time, so encryption can be asserted against it.
override_resource {
  target          = aws_kms_key.this
  override_during = plan
  values = {
    arn = "arn:aws:kms:eu-west-1:123456789012:key/0db0db0d-0db0-0db0-0db0-0db0db0db0db"
  }
}

variables {
  name                       = "platform"
  vpc_id                     = "vpc-0123456789abcdef0"
  subnet_ids                 = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  allowed_security_group_ids = ["sg-0bbbbbbbbbbbbbbb1"]
  tags                       = { team = "platform" }
}

run "dev_defaults" {
  command = plan

  variables {
    environment = "dev"
  }

  assert {
    condition     = aws_db_instance.this.backup_retention_period == 7
    error_message = "dev keeps 7 days of automated backups."
  }

  assert {
    condition     = !aws_db_instance.this.multi_az && !aws_db_instance.this.deletion_protection
    error_message = "dev is single-AZ without deletion protection."
  }

  assert {
    condition     = aws_db_instance.this.storage_encrypted && aws_db_instance.this.kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/0db0db0d-0db0-0db0-0db0-0db0db0db0db"
    error_message = "Storage must be encrypted with the module's KMS key."
  }

  assert {
    condition     = !aws_db_instance.this.skip_final_snapshot && aws_db_instance.this.final_snapshot_identifier == "platform-dev-final"
    error_message = "Every environment takes a final snapshot on deletion."
  }

  assert {
    condition     = aws_db_instance.this.manage_master_user_password && aws_db_instance.this.username == "slipway_admin" && aws_db_instance.this.db_name == "platform"
    error_message = "RDS must manage the master password in Secrets Manager."
  }

  assert {
    condition     = !aws_db_instance.this.publicly_accessible && aws_db_instance.this.iam_database_authentication_enabled
    error_message = "The database must be private and accept IAM authentication."
  }

  assert {
    condition     = aws_db_instance.this.identifier == "platform-dev" && aws_db_instance.this.engine == "postgres"
    error_message = "Identifier is <name>-<environment>, engine PostgreSQL."
  }

  assert {
    condition     = aws_db_instance.this.tags["environment"] == "dev" && aws_db_instance.this.tags["team"] == "platform" && aws_db_instance.this.copy_tags_to_snapshot
    error_message = "Tags (including the caller's) must be set and copied to snapshots."
  }

  assert {
    condition     = aws_kms_key.this.enable_key_rotation
    error_message = "The database KMS key must rotate."
  }

  assert {
    condition     = aws_kms_key.this.deletion_window_in_days == 30
    error_message = "dev's database key waits the longest window AWS allows (30 days) before a scheduled deletion: the final snapshot outlives the instance."
  }

  assert {
    condition     = anytrue([for p in aws_db_parameter_group.this.parameter : p.name == "rds.force_ssl" && p.value == "1"])
    error_message = "Connections must require TLS (rds.force_ssl = 1)."
  }
}

run "qa_defaults" {
  command = plan

  variables {
    environment = "qa"
  }

  assert {
    condition     = aws_db_instance.this.backup_retention_period == 7 && !aws_db_instance.this.multi_az && !aws_db_instance.this.deletion_protection
    error_message = "qa: 7 days, single-AZ, no deletion protection."
  }

  assert {
    condition     = aws_kms_key.this.deletion_window_in_days == 30 && !aws_db_instance.this.skip_final_snapshot
    error_message = "qa: the final snapshot is taken and its key waits 30 days before a scheduled deletion."
  }
}

run "stage_defaults" {
  command = plan

  variables {
    environment = "stage"
  }

  assert {
    condition     = aws_db_instance.this.backup_retention_period == 14
    error_message = "stage keeps 14 days of automated backups."
  }

  assert {
    condition     = aws_db_instance.this.multi_az && aws_db_instance.this.deletion_protection
    error_message = "stage is multi-AZ with deletion protection."
  }

  assert {
    condition     = !aws_db_instance.this.delete_automated_backups
    error_message = "stage keeps automated backups after the instance is deleted."
  }
}

run "prod_defaults" {
  command = plan

  variables {
    environment = "prod"
  }

  assert {
    condition     = aws_db_instance.this.backup_retention_period == 35
    error_message = "prod keeps 35 days (the RDS maximum) of automated backups."
  }

  assert {
    condition     = aws_db_instance.this.multi_az && aws_db_instance.this.deletion_protection && !aws_db_instance.this.delete_automated_backups
    error_message = "prod is multi-AZ, deletion-protected, and keeps automated backups after deletion."
  }

  assert {
    condition     = aws_db_instance.this.final_snapshot_identifier == "platform-prod-final"
    error_message = "prod takes a final snapshot."
  }

  assert {
    condition     = aws_db_instance.this.tags["backup-retention-days"] == "35"
    error_message = "The retention is visible as a tag for audits."
  }
}

run "restore_from_snapshot" {
  command = plan

  variables {
    environment       = "prod"
    identifier_suffix = "r1"
    restore = {
      snapshot_identifier = "platform-prod-final"
    }
  }

  assert {
    condition     = aws_db_instance.this.snapshot_identifier == "platform-prod-final"
    error_message = "The instance must be created from the given snapshot."
  }

  assert {
    condition     = aws_db_instance.this.identifier == "platform-prod-r1"
    error_message = "A restore goes to a new identifier beside the old instance."
  }

  assert {
    condition     = aws_db_instance.this.backup_retention_period == 35 && aws_db_instance.this.deletion_protection
    error_message = "A restored prod instance keeps the prod backup policy."
  }
}

run "restore_point_in_time" {
  command = plan

  variables {
    environment       = "stage"
    identifier_suffix = "r2"
    restore = {
      source_db_instance_identifier = "platform-stage"
      restore_time                  = "2026-11-27T03:00:00Z"
    }
  }

  assert {
    condition     = aws_db_instance.this.restore_to_point_in_time[0].source_db_instance_identifier == "platform-stage"
    error_message = "Point-in-time restore must name the source instance."
  }

  assert {
    condition     = aws_db_instance.this.restore_to_point_in_time[0].restore_time == "2026-11-27T03:00:00Z"
    error_message = "Point-in-time restore must use the given time."
  }
}

run "restore_latest_restorable_time" {
  command = plan

  variables {
    environment = "dev"
    restore = {
      source_db_instance_identifier = "platform-dev"
      use_latest_restorable_time    = true
    }
    identifier_suffix = "r1"
  }

  assert {
    condition     = aws_db_instance.this.restore_to_point_in_time[0].use_latest_restorable_time
    error_message = "use_latest_restorable_time must reach the restore block."
  }
}

run "rejects_snapshot_and_pitr_together" {
  command = plan

  variables {
    environment = "prod"
    restore = {
      snapshot_identifier           = "platform-prod-final"
      source_db_instance_identifier = "platform-prod"
    }
  }

  expect_failures = [var.restore]
}

run "rejects_pitr_without_time" {
  command = plan

  variables {
    environment = "prod"
    restore = {
      source_db_instance_identifier = "platform-prod"
    }
  }

  expect_failures = [var.restore]
}

run "rejects_malformed_restore_time" {
  command = plan

  variables {
    environment = "prod"
    restore = {
      source_db_instance_identifier = "platform-prod"
      restore_time                  = "yesterday"
    }
  }

  expect_failures = [var.restore]
}

run "rejects_backups_disabled" {
  command = plan

  variables {
    environment           = "dev"
    backup_retention_days = 0
  }

  expect_failures = [var.backup_retention_days]
}

run "kms_deletion_window_is_settable_within_aws_limits" {
  command = plan

  variables {
    environment                 = "dev"
    kms_deletion_window_in_days = 7
  }

  assert {
    condition     = aws_kms_key.this.deletion_window_in_days == 7
    error_message = "The KMS deletion window reaches the key."
  }
}

run "rejects_kms_deletion_window_below_7" {
  command = plan

  variables {
    environment                 = "qa"
    kms_deletion_window_in_days = 6
  }

  expect_failures = [var.kms_deletion_window_in_days]
}

run "rejects_kms_deletion_window_above_30" {
  command = plan

  variables {
    environment                 = "dev"
    kms_deletion_window_in_days = 31
  }

  expect_failures = [var.kms_deletion_window_in_days]
}

run "backup_retention_minimum_is_7_days" {
  command = plan

  variables {
    environment           = "dev"
    backup_retention_days = 7
  }

  assert {
    condition     = aws_db_instance.this.backup_retention_period == 7
    error_message = "7 days, the lower bound CKV_AWS_133's skip reason states, is accepted."
  }
}

run "rejects_backup_retention_below_7" {
  command = plan

  variables {
    environment           = "qa"
    backup_retention_days = 6
  }

  expect_failures = [var.backup_retention_days]
}

run "rejects_backup_retention_above_35" {
  command = plan

  variables {
    environment           = "prod"
    backup_retention_days = 36
  }

  expect_failures = [var.backup_retention_days]
}
