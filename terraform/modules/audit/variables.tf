variable "name" {
  description = "Name prefix of the trail, its bucket, key and log group (e.g. \"slipway-prod\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "Variable `name` must be 3 to 41 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "environment" {
  description = "Environment audited: stage or prod (dev and qa have no trail of their own; see README)."
  type        = string

  validation {
    condition     = contains(["stage", "prod"], var.environment)
    error_message = "Variable `environment` must be stage or prod: the audit trail is the production-grade environments' (dev and qa do not call this module)."
  }
}

variable "log_retention_days" {
  description = "Days the trail's files are kept in S3 and its events in CloudWatch Logs (at least a year, for audit)."
  type        = number
  default     = 365

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "Variable `log_retention_days` must be a CloudWatch retention value of at least one year: 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "alarm_actions" {
  description = "ARNs (e.g. an SNS topic) notified when the registry alarm fires; empty: the alarm is only visible in CloudWatch."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
