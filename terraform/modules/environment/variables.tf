variable "environment" {
  description = "Environment name: dev, qa, stage or prod. Drives every environment policy (backups, deletion protection, multi-AZ, NAT per AZ, WAF) in the modules below."
  type        = string

  validation {
    condition     = contains(["dev", "qa", "stage", "prod"], var.environment)
    error_message = "Variable `environment` must be one of dev, qa, stage, prod."
  }
}

variable "vpc_cidr" {
  description = "The environment's VPC range, a /16 (e.g. \"10.10.0.0/16\"); each environment needs its own, non-overlapping range."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && endswith(var.vpc_cidr, "/16")
    error_message = "Variable `vpc_cidr` must be an IPv4 /16 range such as \"10.10.0.0/16\"."
  }
}

variable "availability_zones" {
  description = "Availability zones to span (2 or 3, in the stack's region): one public, private and data subnet each."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "Variable `availability_zones` must list 2 or 3 distinct zones, e.g. [\"eu-west-1a\", \"eu-west-1b\"]."
  }
}

variable "domain_name" {
  description = "Public DNS name of the environment's entry point (the ACM certificate is issued for it)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "Variable `domain_name` must be a lowercase DNS name such as \"dev.slipway.example.com\"."
  }
}

variable "node_groups" {
  description = "EKS managed node groups by name (see terraform/modules/cluster): instance_types, min/desired/max size, capacity_type, disk_size_gib, labels."
  type = map(object({
    instance_types = list(string)
    min_size       = number
    desired_size   = number
    max_size       = number
    capacity_type  = optional(string, "ON_DEMAND")
    disk_size_gib  = optional(number, 50)
    labels         = optional(map(string), {})
  }))

  validation {
    condition     = length(var.node_groups) >= 1
    error_message = "Variable `node_groups` must define at least one managed node group."
  }
}

variable "image_repositories" {
  description = "Service names that get an ECR repository in this environment."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "database_instance_class" {
  description = "RDS instance class of the platform database; null takes the database module's environment default."
  type        = string
  default     = null
}

variable "database_identifier_suffix" {
  description = "Suffix for the platform database identifier (e.g. \"r1\"), changed together with `database_restore` (terraform/RESTORE.md)."
  type        = string
  default     = ""
  nullable    = false
}

variable "database_restore" {
  description = "Create the platform database from a backup (terraform/RESTORE.md); null creates it empty. Same shape as the database module's `restore`, which validates it."
  type = object({
    snapshot_identifier           = optional(string)
    source_db_instance_identifier = optional(string)
    restore_time                  = optional(string)
    use_latest_restorable_time    = optional(bool, false)
  })
  default = null
}

variable "tags" {
  description = "Extra tags for every resource (the stack's provider adds environment, managed-by and stack tags)."
  type        = map(string)
  default     = {}
  nullable    = false
}
