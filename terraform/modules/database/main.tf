# RDS PostgreSQL with automated backups (point-in-time recovery over the
# retention window), encryption with a dedicated KMS key, a final snapshot on
# deletion, and the master password generated and kept by RDS in Secrets
# Manager (never in Terraform state or variables).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  identifier    = join("-", compact([var.name, var.environment, var.identifier_suffix]))
  database_name = coalesce(var.database_name, replace(var.name, "-", "_"))

  restoring_snapshot = try(var.restore.snapshot_identifier, null) != null
  restoring_pitr     = try(var.restore.source_db_instance_identifier, null) != null

  tags = merge(var.tags, {
    environment = var.environment
    managed-by  = "terraform"
    module      = "slipway/database"
  })
}

# The key outlives the instance: the final snapshot `<identifier>-final` (taken in
# every environment) and stage/prod's retained automated backups are encrypted with
# it, and a snapshot whose key is gone cannot be restored. So Terraform never
# destroys it (tearing an environment down: terraform/RESTORE.md), and a deletion
# scheduled by hand waits `kms_deletion_window_in_days`, during which it can be cancelled.
resource "aws_kms_key" "this" {
  description             = "${local.identifier}: encrypts the database storage, snapshots, Performance Insights and the master secret"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_in_days
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountAdministers"
      Effect    = "Allow"
      Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
  tags = local.tags

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_db_subnet_group" "this" {
  name       = local.identifier
  subnet_ids = var.subnet_ids
  tags       = local.tags
}

resource "aws_security_group" "this" {
  name        = "${local.identifier}-postgres"
  description = "PostgreSQL ${local.identifier}: clients from the allowed security groups only"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${local.identifier}-postgres" })
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  # count, not for_each: the ids are often unknown until apply (new cluster).
  count = length(var.allowed_security_group_ids)

  security_group_id            = aws_security_group.this.id
  description                  = "PostgreSQL from allowed security group ${count.index}"
  referenced_security_group_id = var.allowed_security_group_ids[count.index]
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  tags                         = local.tags
}

resource "aws_db_parameter_group" "this" {
  name        = "${local.identifier}-pg${split(".", var.engine_version)[0]}"
  family      = "postgres${split(".", var.engine_version)[0]}"
  description = "${local.identifier}: TLS only, statement logging"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  # Log DDL and slow statements: enough for audit and tuning, not every query.
  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }

  tags = local.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_iam_role" "monitoring" {
  name = "${local.identifier}-rds-monitoring"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "monitoring.rds.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  role       = aws_iam_role.monitoring.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "this" {
  #checkov:skip=CKV_AWS_157:Multi-AZ is per environment: on in stage and prod, off in dev and qa to save cost; tests/database.tftest.hcl asserts it.
  #checkov:skip=CKV_AWS_133:Backups are always on: retention is 7 to 35 days, from environment_defaults.tf or var.backup_retention_days, whose validation accepts 7-35 only; checkov cannot evaluate the lookup. tests/database.tftest.hcl asserts it per environment.
  #checkov:skip=CKV_AWS_293:Deletion protection is per environment: on in stage and prod, off in dev and qa so they can be torn down; tests/database.tftest.hcl asserts it.
  identifier     = local.identifier
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = coalesce(var.instance_class, local.env.instance_class)

  # A restored instance takes its database name and master user from the backup.
  db_name                       = local.restoring_snapshot || local.restoring_pitr ? null : local.database_name
  username                      = local.restoring_snapshot || local.restoring_pitr ? null : "slipway_admin"
  manage_master_user_password   = true
  master_user_secret_kms_key_id = aws_kms_key.this.arn
  snapshot_identifier           = try(var.restore.snapshot_identifier, null)

  dynamic "restore_to_point_in_time" {
    for_each = local.restoring_pitr ? [var.restore] : []
    content {
      source_db_instance_identifier = restore_to_point_in_time.value.source_db_instance_identifier
      restore_time                  = restore_to_point_in_time.value.restore_time
      use_latest_restorable_time    = restore_to_point_in_time.value.use_latest_restorable_time ? true : null
    }
  }

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.allocated_storage * 5
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.this.arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.this.id]
  parameter_group_name   = aws_db_parameter_group.this.name
  publicly_accessible    = false
  multi_az               = local.env.multi_az

  # Backups: daily snapshots plus transaction logs = point-in-time recovery
  # to any second of the retention window.
  backup_retention_period  = coalesce(var.backup_retention_days, local.env.backup_retention_days)
  backup_window            = "02:00-03:00"
  maintenance_window       = "sun:03:30-sun:04:30"
  copy_tags_to_snapshot    = true
  delete_automated_backups = !local.env.keep_automated_backups

  deletion_protection       = local.env.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${local.identifier}-final"

  auto_minor_version_upgrade          = true
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]
  monitoring_interval                 = 60
  monitoring_role_arn                 = aws_iam_role.monitoring.arn
  performance_insights_enabled        = true
  performance_insights_kms_key_id     = aws_kms_key.this.arn

  tags = merge(local.tags, { backup-retention-days = tostring(coalesce(var.backup_retention_days, local.env.backup_retention_days)) })

  lifecycle {
    # A restore (new identifier_suffix) brings the new instance up before the
    # old one is deleted (which deletion protection blocks in stage/prod).
    create_before_destroy = true
  }

  depends_on = [aws_iam_role_policy_attachment.monitoring]
}
