variable "name" {
  description = "Name prefix for every resource (e.g. \"slipway-dev\"): lowercase letters, digits and '-'."
  type        = string

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{1,30}[a-z0-9]$", var.name))
    error_message = "Variable `name` must be 3-32 characters of lowercase letters, digits and '-', starting with a letter (e.g. \"slipway-dev\")."
  }
}

variable "environment" {
  description = "Environment this VPC belongs to: dev, qa, stage or prod. One VPC per environment."
  type        = string

  validation {
    condition     = contains(["dev", "qa", "stage", "prod"], var.environment)
    error_message = "Variable `environment` must be one of dev, qa, stage, prod."
  }
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC, a /16 to /18 (private subnets take the first half, public and data subnets small slices of the second half). Give every environment its own, non-overlapping range."
  type        = string

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && contains(["16", "17", "18"], try(split("/", var.cidr_block)[1], ""))
    error_message = "Variable `cidr_block` must be an IPv4 CIDR with a /16, /17 or /18 prefix, e.g. \"10.10.0.0/16\"."
  }
}

variable "availability_zones" {
  description = "Availability zones to spread subnets over (2 to 4, distinct). Each gets one public, one private and one data subnet."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 4 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "Variable `availability_zones` must list 2 to 4 distinct availability zones (e.g. [\"eu-west-1a\", \"eu-west-1b\", \"eu-west-1c\"])."
  }
}

variable "nat_gateway_mode" {
  description = "NAT gateways: \"single\" (one shared, cheaper, one AZ failure cuts egress) or \"per_az\" (one per AZ, highly available). Null picks single for dev/qa, per_az for stage/prod."
  type        = string
  default     = null

  validation {
    condition     = var.nat_gateway_mode == null || contains(["single", "per_az"], coalesce(var.nat_gateway_mode, "single"))
    error_message = "Variable `nat_gateway_mode` must be null, \"single\" or \"per_az\"."
  }
}

variable "flow_log_retention_days" {
  description = "Days to keep VPC flow logs in CloudWatch Logs (a value CloudWatch accepts, at least 365 for audit)."
  type        = number
  default     = 365

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "Variable `flow_log_retention_days` must be a CloudWatch retention value of at least one year: 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "cluster_name" {
  description = "Name of the EKS cluster that will use this VPC: subnets get the kubernetes.io/cluster/<name> tag so load balancers find them. Null skips the tag."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource (the module adds environment, managed-by and module tags)."
  type        = map(string)
  default     = {}
  nullable    = false
}
