# What the service role may do: read its own secrets (and decrypt them),
# and connect to its own Redis as its own IAM-authenticated user.

locals {
  readable_secret_arns = concat(
    var.database ? [module.database[0].master_user_secret_arn] : [],
    local.rabbitmq ? [aws_secretsmanager_secret.queue[0].arn] : [],
  )
  decrypt_key_arns = concat(
    var.database ? [module.database[0].kms_key_arn] : [],
    local.rabbitmq ? [aws_kms_key.queue[0].arn] : [],
  )

  policy_statements = concat(
    [for statement in [
      {
        Sid      = "ReadOwnSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        Resource = local.readable_secret_arns
      },
      {
        Sid       = "DecryptOwnSecrets"
        Effect    = "Allow"
        Action    = "kms:Decrypt"
        Resource  = local.decrypt_key_arns
        Condition = { StringLike = { "kms:ViaService" = "secretsmanager.*.${data.aws_partition.current.dns_suffix}" } }
      },
    ] : statement if var.database || local.rabbitmq],
    [for statement in [
      {
        Sid      = "ConnectOwnRedis"
        Effect   = "Allow"
        Action   = "elasticache:Connect"
        Resource = [one(aws_elasticache_replication_group.redis[*].arn), one(aws_elasticache_user.redis_service[*].arn)]
      },
    ] : statement if local.redis],
  )
}

resource "aws_iam_role_policy" "service" {
  count = var.database || var.queue != "none" ? 1 : 0

  name = "own-resources"
  role = aws_iam_role.service.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.policy_statements
  })
}
