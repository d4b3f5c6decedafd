# Inputs of the per-service module. The template renders a per-service root
# that sets the identity inputs (name, environment, team, database, queue) and
# passes `platform` straight from the environment stack's `service_platform`
# output (remote state), so a service never hard-codes VPC or cluster ids.

variable "name" {
  description = "Service name: a DNS-1123 label (lowercase letters, digits, '-'; 1-40 characters, starting with a letter). Names the IAM role, database, queue and secrets."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$", var.name))
    error_message = "Variable `name` must be a DNS-1123 label of 1-40 characters: lowercase letters, digits and '-', starting with a letter and not ending with '-' (e.g. \"orders-api\")."
  }
}

variable "environment" {
  description = "Environment the service runs in: dev, qa, stage or prod. Drives backups, retention, multi-AZ and deletion protection."
  type        = string

  validation {
    condition     = contains(["dev", "qa", "stage", "prod"], var.environment)
    error_message = "Variable `environment` must be one of dev, qa, stage, prod."
  }
}

variable "team" {
  description = "Owning team (a DNS-1123 label); becomes the `team` tag used for cost reports and alert routing."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", var.team))
    error_message = "Variable `team` must be a DNS-1123 label (lowercase letters, digits and '-', starting with a letter), e.g. \"payments\"."
  }
}

variable "database" {
  description = "Whether the service gets its own PostgreSQL database (RDS, credentials managed by RDS in Secrets Manager)."
  type        = bool
  default     = false
}

variable "queue" {
  description = "Queue the service consumes or produces: none, rabbitmq (Amazon MQ for RabbitMQ) or redis (ElastiCache for Redis OSS with IAM auth)."
  type        = string
  default     = "none"

  validation {
    condition     = contains(["none", "rabbitmq", "redis"], var.queue)
    error_message = "Variable `queue` must be one of none, rabbitmq, redis."
  }
}

variable "namespace" {
  description = "Kubernetes namespace of the service account trusted by the IAM role (IRSA). Null means the environment's namespace, named after the environment (see platform/CONTRACTS.md)."
  type        = string
  default     = null

  validation {
    condition     = var.namespace == null || can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "Variable `namespace` must be null or a DNS-1123 label (Kubernetes namespace name)."
  }
}

variable "service_account" {
  description = "Kubernetes service account name trusted by the IAM role (IRSA). Null means the service name (what the Helm chart creates)."
  type        = string
  default     = null

  validation {
    condition     = var.service_account == null || can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.service_account))
    error_message = "Variable `service_account` must be null or a DNS-1123 subdomain (Kubernetes service account name)."
  }
}

variable "platform" {
  description = <<-EOT
    What the environment stack provides to services: pass the stack's `service_platform` output unchanged.
    oidc_provider_arn: the cluster's IAM OIDC provider (IRSA trust);
    vpc_id and data_subnet_ids: where the database and queue live (private subnets, at least two AZs);
    client_security_group_ids: security groups allowed to connect (the cluster's node security group).
  EOT
  type = object({
    oidc_provider_arn         = string
    vpc_id                    = string
    data_subnet_ids           = list(string)
    client_security_group_ids = list(string)
  })

  validation {
    condition     = can(regex("^arn:aws[-a-z]*:iam::[0-9]{12}:oidc-provider/.+$", var.platform.oidc_provider_arn))
    error_message = "Variable `platform.oidc_provider_arn` must be an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<issuer>), e.g. the cluster module's `oidc_provider_arn` output."
  }

  validation {
    condition     = length(var.platform.data_subnet_ids) >= 2
    error_message = "Variable `platform.data_subnet_ids` must list at least two private subnets in different availability zones (RDS and ElastiCache subnet groups need two AZs)."
  }

  validation {
    condition     = length(var.platform.client_security_group_ids) >= 1
    error_message = "Variable `platform.client_security_group_ids` must list at least one security group (the cluster node security group) allowed to reach the database and queue."
  }
}

variable "database_settings" {
  description = "Optional overrides for the service database: instance_class, allocated_storage (GiB), engine_version (PostgreSQL major.minor). Null fields take the environment defaults of the database module."
  type = object({
    instance_class    = optional(string)
    allocated_storage = optional(number)
    engine_version    = optional(string)
  })
  default  = {}
  nullable = false
}

variable "database_restore" {
  description = "Restore the service database instead of creating it empty: { snapshot_identifier } or { source_db_instance_identifier, restore_time | use_latest_restorable_time }, plus identifier_suffix (default \"r1\"; use a new one per restore) so the restored instance comes up beside the old one. See terraform/RESTORE.md. Null creates a fresh database."
  type = object({
    identifier_suffix             = optional(string, "r1")
    snapshot_identifier           = optional(string)
    source_db_instance_identifier = optional(string)
    restore_time                  = optional(string)
    use_latest_restorable_time    = optional(bool, false)
  })
  default = null
}

variable "queue_instance_type" {
  description = "Instance type of the queue (Amazon MQ host type for rabbitmq, ElastiCache node type for redis). Null picks a small default per engine."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource. The module always adds service, environment, team and managed-by tags."
  type        = map(string)
  default     = {}
  nullable    = false
}
