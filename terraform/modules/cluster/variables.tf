variable "name" {
  description = "Cluster name (e.g. \"slipway-dev\"): lowercase letters, digits and '-', 3-32 characters."
  type        = string

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{1,30}[a-z0-9]$", var.name))
    error_message = "Variable `name` must be 3-32 characters of lowercase letters, digits and '-', starting with a letter (e.g. \"slipway-dev\")."
  }
}

variable "environment" {
  description = "Environment: dev, qa, stage or prod."
  type        = string

  validation {
    condition     = contains(["dev", "qa", "stage", "prod"], var.environment)
    error_message = "Variable `environment` must be one of dev, qa, stage, prod."
  }
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version (major.minor)."
  type        = string
  default     = "1.33"

  validation {
    condition     = can(regex("^1\\.(3[0-9])$", var.kubernetes_version))
    error_message = "Variable `kubernetes_version` must be a supported EKS version 1.30 or later, written major.minor (e.g. \"1.33\")."
  }
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the control-plane ENIs and the nodes (at least two AZs)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "Variable `subnet_ids` must list at least two private subnets in different availability zones (EKS requires two AZs)."
  }
}

variable "endpoint_public_access" {
  description = "Expose the Kubernetes API endpoint publicly (restricted to `public_access_cidrs`). False keeps it private: reachable from the VPC (bastion, VPN) only."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach the public API endpoint when `endpoint_public_access` is true. Never 0.0.0.0/0."
  type        = list(string)
  default     = []

  validation {
    condition     = !contains(var.public_access_cidrs, "0.0.0.0/0") && alltrue([for c in var.public_access_cidrs : can(cidrhost(c, 0))])
    error_message = "Variable `public_access_cidrs` must be valid CIDRs and must not contain 0.0.0.0/0 (the API would be open to the internet)."
  }
}

variable "node_groups" {
  description = "Managed node groups by name: instance_types, min/desired/max size, capacity_type (ON_DEMAND or SPOT), disk_size_gib, labels."
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

  validation {
    condition     = alltrue([for g in values(var.node_groups) : g.min_size <= g.desired_size && g.desired_size <= g.max_size && g.max_size >= 1])
    error_message = "Variable `node_groups`: every group needs min_size <= desired_size <= max_size and max_size >= 1."
  }

  validation {
    condition     = alltrue([for g in values(var.node_groups) : contains(["ON_DEMAND", "SPOT"], g.capacity_type)])
    error_message = "Variable `node_groups`: capacity_type must be ON_DEMAND or SPOT."
  }
}

variable "log_retention_days" {
  description = "Days to keep control-plane logs in CloudWatch Logs (at least a year, for audit)."
  type        = number
  default     = 365

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "Variable `log_retention_days` must be a CloudWatch retention value of at least one year: 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "tags" {
  description = "Extra tags for every resource (the module adds environment, managed-by and module tags)."
  type        = map(string)
  default     = {}
  nullable    = false
}
