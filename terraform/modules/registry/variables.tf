variable "environment" {
  description = "Environment owning these repositories: dev, qa, stage or prod (tags only; repository names are environment-free so one image promotes unchanged)."
  type        = string

  validation {
    condition     = contains(["dev", "qa", "stage", "prod"], var.environment)
    error_message = "Variable `environment` must be one of dev, qa, stage, prod."
  }
}

variable "repositories" {
  description = "Repository names, one per service image (e.g. [\"orders-api\"]); lowercase, may contain '/', '-', '_', '.'."
  type        = set(string)

  validation {
    condition     = alltrue([for r in var.repositories : can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*$", r)) && length(r) <= 256])
    error_message = "Variable `repositories`: every name must be lowercase letters and digits separated by '.', '_', '-' or '/' (ECR naming rule), at most 256 characters."
  }
}

variable "keep_tagged_images" {
  description = "How many release images (tags matching X.Y.Z or a git sha) each repository keeps; older ones expire."
  type        = number
  default     = 50

  validation {
    condition     = var.keep_tagged_images >= 5 && var.keep_tagged_images <= 1000
    error_message = "Variable `keep_tagged_images` must be between 5 and 1000 (fewer would break rollbacks)."
  }
}

variable "untagged_expiry_days" {
  description = "Days after which untagged images (build leftovers) expire."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_expiry_days >= 1
    error_message = "Variable `untagged_expiry_days` must be at least 1."
  }
}

variable "pull_principal_arns" {
  description = "IAM principals (e.g. other accounts' node roles) allowed to pull from every repository. Empty means same-account IAM only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.pull_principal_arns : can(regex("^arn:aws[-a-z]*:iam::[0-9]{12}:", a))])
    error_message = "Variable `pull_principal_arns` must contain IAM ARNs (arn:aws:iam::<account>:...)."
  }
}

variable "tags" {
  description = "Extra tags for every resource (the module adds environment, managed-by and module tags)."
  type        = map(string)
  default     = {}
  nullable    = false
}
