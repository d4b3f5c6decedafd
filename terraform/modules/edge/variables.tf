variable "name" {
  description = "Name prefix (e.g. \"slipway-prod\"): lowercase letters, digits and '-', 3-28 characters (ALB names are limited to 32)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{1,26}[a-z0-9]$", var.name))
    error_message = "Variable `name` must be 3-28 characters of lowercase letters, digits and '-', starting with a letter."
  }
}

variable "environment" {
  description = "Environment: dev, qa, stage or prod. prod gets a WAF web ACL; stage and prod get ALB deletion protection."
  type        = string

  validation {
    condition     = contains(["dev", "qa", "stage", "prod"], var.environment)
    error_message = "Variable `environment` must be one of dev, qa, stage, prod."
  }
}

variable "vpc_id" {
  description = "VPC of the load balancer."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets for the internet-facing load balancer (at least two AZs)."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "Variable `public_subnet_ids` must list at least two public subnets in different availability zones (an ALB needs two)."
  }
}

variable "domain_name" {
  description = "DNS name served over TLS (e.g. \"api.dev.example.com\"); an ACM certificate is requested for it with DNS validation."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "Variable `domain_name` must be a lowercase fully qualified domain name such as \"api.dev.example.com\"."
  }
}

variable "subject_alternative_names" {
  description = "Extra names on the certificate (e.g. a wildcard \"*.dev.example.com\")."
  type        = list(string)
  default     = []
}

variable "waf_enabled" {
  description = "Attach a WAF web ACL (AWS managed rule sets + rate limit). Null means on in prod only."
  type        = bool
  default     = null
}

variable "waf_rate_limit" {
  description = "Requests per 5 minutes from one IP before the WAF blocks it."
  type        = number
  default     = 2000

  validation {
    condition     = var.waf_rate_limit >= 100
    error_message = "Variable `waf_rate_limit` must be at least 100 (the WAF minimum)."
  }
}

variable "ingress_port" {
  description = "Port of the in-cluster ingress controller pods the load balancer forwards to (registered with a TargetGroupBinding)."
  type        = number
  default     = 8443

  validation {
    condition     = var.ingress_port >= 1 && var.ingress_port <= 65535
    error_message = "Variable `ingress_port` must be a TCP port (1-65535)."
  }
}

variable "ingress_security_group_ids" {
  description = "Security groups of the ingress pods/nodes; the ALB may reach them on `ingress_port`."
  type        = list(string)
}

variable "log_retention_days" {
  description = "Days to keep ALB access logs (S3) and WAF logs (CloudWatch)."
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
