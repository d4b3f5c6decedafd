variable "name" {
  description = "Database name stem (DNS-1123 label, e.g. \"platform\" or a service name). The RDS identifier is <name>-<environment>[-<identifier_suffix>]."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$", var.name))
    error_message = "Variable `name` must be a DNS-1123 label of 1-40 characters (lowercase letters, digits, '-', starting with a letter)."
  }
}

variable "environment" {
  description = "Environment: dev, qa, stage or prod. Sets backup retention, multi-AZ, deletion protection and the retention of automated backups after deletion (see terraform/RESTORE.md)."
  type        = string

  validation {
    condition     = contains(["dev", "qa", "stage", "prod"], var.environment)
    error_message = "Variable `environment` must be one of dev, qa, stage, prod."
  }
}

variable "identifier_suffix" {
  description = "Optional suffix for the RDS identifier (e.g. \"r1\"). Change it together with `restore` so the restored instance is created beside the old one before the old one is removed."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = can(regex("^([a-z0-9]{1,8})?$", var.identifier_suffix))
    error_message = "Variable `identifier_suffix` must be empty or 1-8 lowercase letters/digits."
  }
}

variable "database_name" {
  description = "Name of the PostgreSQL database created in the instance. Null derives it from `name` ('-' becomes '_')."
  type        = string
  default     = null

  validation {
    condition     = var.database_name == null || can(regex("^[a-z][a-z0-9_]{0,62}$", coalesce(var.database_name, "x")))
    error_message = "Variable `database_name` must be null or a PostgreSQL identifier: lowercase letters, digits and '_', starting with a letter, at most 63 characters."
  }
}

variable "vpc_id" {
  description = "VPC the database lives in."
  type        = string
}

variable "subnet_ids" {
  description = "Data subnets (no internet route) for the DB subnet group: at least two, in different availability zones."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "Variable `subnet_ids` must list at least two subnets in different availability zones (an RDS subnet group needs two AZs)."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on the PostgreSQL port (e.g. the cluster node security group)."
  type        = list(string)

  validation {
    condition     = length(var.allowed_security_group_ids) >= 1
    error_message = "Variable `allowed_security_group_ids` must list at least one security group, otherwise nothing can reach the database."
  }
}

variable "engine_version" {
  description = "PostgreSQL engine version (major or major.minor; minor upgrades are applied automatically)."
  type        = string
  default     = "16"

  validation {
    condition     = can(regex("^1[4-7](\\.[0-9]+)?$", var.engine_version))
    error_message = "Variable `engine_version` must be a supported PostgreSQL version 14-17, e.g. \"16\" or \"16.4\"."
  }
}

variable "instance_class" {
  description = "RDS instance class. Null picks db.t4g.medium for dev/qa (the smallest burstable class that reliably supports Performance Insights) and db.m7g.large for stage/prod."
  type        = string
  default     = null

  validation {
    condition     = var.instance_class == null || can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", coalesce(var.instance_class, "db.x.y")))
    error_message = "Variable `instance_class` must be null or an RDS instance class such as \"db.t4g.micro\"."
  }
}

variable "allocated_storage" {
  description = "Initial storage in GiB (gp3); storage autoscaling may grow it to 5x."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage >= 20 && var.allocated_storage <= 16384
    error_message = "Variable `allocated_storage` must be between 20 and 16384 GiB."
  }
}

variable "backup_retention_days" {
  description = "Days of automated backups (and so the point-in-time recovery window), 7-35. Null takes the environment default: dev 7, qa 7, stage 14, prod 35. See terraform/RESTORE.md."
  type        = number
  default     = null

  validation {
    condition     = var.backup_retention_days == null || (coalesce(var.backup_retention_days, 7) >= 7 && coalesce(var.backup_retention_days, 7) <= 35)
    error_message = "Variable `backup_retention_days` must be null or 7-35: a week of point-in-time recovery is Slipway's minimum (0 would disable backups) and 35 is the RDS maximum."
  }
}

variable "kms_deletion_window_in_days" {
  description = "Waiting period, in days, before AWS KMS deletes the database key once its deletion is scheduled (7-30, the range AWS allows). The key encrypts the final snapshot, which outlives the instance; Terraform never destroys the key (prevent_destroy, see terraform/RESTORE.md)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.kms_deletion_window_in_days >= 7 && var.kms_deletion_window_in_days <= 30 && floor(var.kms_deletion_window_in_days) == var.kms_deletion_window_in_days
    error_message = "Variable `kms_deletion_window_in_days` must be a whole number of days from 7 to 30 (AWS KMS accepts no other pending window)."
  }
}

variable "restore" {
  description = <<-EOT
    Create the instance from a backup instead of empty (see terraform/RESTORE.md). Null creates a fresh database.
    Either { snapshot_identifier = "<snapshot id or ARN>" }
    or { source_db_instance_identifier = "<id>", restore_time = "2026-11-27T03:00:00Z" }
    or { source_db_instance_identifier = "<id>", use_latest_restorable_time = true }.
  EOT
  type = object({
    snapshot_identifier           = optional(string)
    source_db_instance_identifier = optional(string)
    restore_time                  = optional(string)
    use_latest_restorable_time    = optional(bool, false)
  })
  default = null

  validation {
    condition = var.restore == null || (
      (try(var.restore.snapshot_identifier, null) != null) != (try(var.restore.source_db_instance_identifier, null) != null)
    )
    error_message = "Variable `restore` must set exactly one of `snapshot_identifier` (restore a snapshot) or `source_db_instance_identifier` (point-in-time restore)."
  }

  validation {
    condition = var.restore == null || try(var.restore.source_db_instance_identifier, null) == null || (
      (try(var.restore.restore_time, null) != null) != try(var.restore.use_latest_restorable_time, false)
    )
    error_message = "Variable `restore`: a point-in-time restore needs exactly one of `restore_time` (RFC 3339 UTC, e.g. \"2026-11-27T03:00:00Z\") or `use_latest_restorable_time = true`."
  }

  validation {
    condition     = var.restore == null || try(var.restore.restore_time, null) == null || can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", try(var.restore.restore_time, "")))
    error_message = "Variable `restore.restore_time` must be an RFC 3339 UTC timestamp such as \"2026-11-27T03:00:00Z\"."
  }

  validation {
    condition     = var.restore == null || try(var.restore.snapshot_identifier, null) == null || (try(var.restore.restore_time, null) == null && !try(var.restore.use_latest_restorable_time, false))
    error_message = "Variable `restore`: `restore_time` and `use_latest_restorable_time` apply to point-in-time restores only, not with `snapshot_identifier`."
  }
}

variable "tags" {
  description = "Extra tags for every resource (the module adds environment, managed-by and module tags)."
  type        = map(string)
  default     = {}
  nullable    = false
}
