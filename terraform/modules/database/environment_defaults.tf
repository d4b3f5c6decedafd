# The per-environment policy, in one place. terraform/RESTORE.md documents the
# same matrix and tests/database.tftest.hcl pins it: change all three together.
locals {
  environment_defaults = {
    dev   = { backup_retention_days = 7, multi_az = false, deletion_protection = false, keep_automated_backups = false, instance_class = "db.t4g.medium" }
    qa    = { backup_retention_days = 7, multi_az = false, deletion_protection = false, keep_automated_backups = false, instance_class = "db.t4g.medium" }
    stage = { backup_retention_days = 14, multi_az = true, deletion_protection = true, keep_automated_backups = true, instance_class = "db.m7g.large" }
    prod  = { backup_retention_days = 35, multi_az = true, deletion_protection = true, keep_automated_backups = true, instance_class = "db.m7g.large" }
  }
  env = local.environment_defaults[var.environment]
}
