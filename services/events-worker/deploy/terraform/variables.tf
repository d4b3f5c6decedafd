variable "environment" {
  description = "Environment this root is applied to: dev, qa, stage, prod (envs/<env>.tfvars sets it)."
  type        = string

  validation {
    condition     = contains(["dev", "qa", "stage", "prod"], var.environment)
    error_message = "Variable `environment` must be one of dev, qa, stage, prod (the environments events-worker is deployed to)."
  }
}

variable "region" {
  description = "AWS region of the environment's platform stack."
  type        = string
  default     = "eu-west-1"
}

variable "state_bucket" {
  description = "S3 bucket holding the platform stacks' state (read for their `service_platform` output)."
  type        = string
  default     = "slipway-terraform-state"
}
