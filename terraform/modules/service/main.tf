# What one service needs in its environment: an IAM role its Kubernetes
# service account assumes (IRSA), optionally its own PostgreSQL database
# (credentials kept and rotated by RDS in Secrets Manager) and its own queue.
# The role may read exactly this service's secrets, nothing else.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  namespace       = coalesce(var.namespace, var.environment)
  service_account = coalesce(var.service_account, var.name)
  resource_name   = "${var.name}-${var.environment}"

  # arn:aws:iam::<account>:oidc-provider/<issuer host/path> -> <issuer host/path>
  oidc_issuer = element(split(":oidc-provider/", var.platform.oidc_provider_arn), 1)

  tags = merge(var.tags, {
    service     = var.name
    environment = var.environment
    team        = var.team
    managed-by  = "terraform"
    module      = "slipway/service"
  })
}

resource "aws_iam_role" "service" {
  name        = "${local.resource_name}-service"
  description = "IRSA role of ${local.namespace}/${local.service_account}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ServiceAccountOnly"
      Effect    = "Allow"
      Principal = { Federated = var.platform.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.oidc_issuer}:sub" = "system:serviceaccount:${local.namespace}:${local.service_account}"
          "${local.oidc_issuer}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
  max_session_duration = 3600
  tags                 = local.tags
}

module "database" {
  source = "../database"
  count  = var.database ? 1 : 0

  name                       = var.name
  environment                = var.environment
  vpc_id                     = var.platform.vpc_id
  subnet_ids                 = var.platform.data_subnet_ids
  allowed_security_group_ids = var.platform.client_security_group_ids
  instance_class             = var.database_settings.instance_class
  allocated_storage          = coalesce(var.database_settings.allocated_storage, 20)
  engine_version             = coalesce(var.database_settings.engine_version, "16")
  restore                    = var.database_restore
  identifier_suffix          = try(var.database_restore.identifier_suffix, "")
  tags                       = local.tags
}
