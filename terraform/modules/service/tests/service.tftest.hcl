# Plan-level tests with a mocked AWS provider: the per-service module as the
# template's generated root calls it.
mock_provider "aws" {
  # Data sources feed ARNs that the provider validates: give them real shapes.
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
}

override_data {
  target = data.aws_secretsmanager_random_password.rabbitmq[0]
  values = { random_password = "mockedpassword0123456789abcdefgh" }
}

variables {
  name = "orders-api"
  team = "payments"
  platform = {
    oidc_provider_arn         = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"
    vpc_id                    = "vpc-0123456789abcdef0"
    data_subnet_ids           = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
    client_security_group_ids = ["sg-0bbbbbbbbbbbbbbb1"]
  }
  tags = { cost-center = "cc-42" }
}

run "role_only" {
  command = plan

  variables {
    environment = "dev"
  }

  assert {
    condition     = aws_iam_role.service.name == "orders-api-dev-service"
    error_message = "The role is named <service>-<environment>-service."
  }

  assert {
    condition     = jsondecode(aws_iam_role.service.assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:sub"] == "system:serviceaccount:dev:orders-api"
    error_message = "Only the service account <environment>/<service> may assume the role."
  }

  assert {
    condition     = jsondecode(aws_iam_role.service.assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:aud"] == "sts.amazonaws.com"
    error_message = "The token audience must be STS."
  }

  assert {
    condition     = length(module.database) == 0 && length(aws_iam_role_policy.service) == 0 && output.database == null && output.queue == null
    error_message = "No database, no queue, no policy when none is asked for."
  }

  assert {
    condition     = aws_iam_role.service.tags["service"] == "orders-api" && aws_iam_role.service.tags["team"] == "payments" && aws_iam_role.service.tags["environment"] == "dev" && aws_iam_role.service.tags["cost-center"] == "cc-42"
    error_message = "Resources carry service, team, environment and caller tags."
  }
}

run "prod_database" {
  command = plan

  variables {
    environment = "prod"
    database    = true
  }

  assert {
    condition     = module.database[0].backup_retention_days == 35
    error_message = "A prod service database keeps 35 days of backups."
  }

  assert {
    condition     = module.database[0].identifier == "orders-api-prod" && module.database[0].database_name == "orders_api"
    error_message = "The service database is named after the service."
  }

  assert {
    condition     = length(aws_iam_role_policy.service) == 1
    error_message = "The role may read its database secret."
  }

  assert {
    condition     = local.policy_statements[0].Action == ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    error_message = "The policy grants reading the service's own secrets only."
  }
}

run "custom_namespace_and_account" {
  command = plan

  variables {
    environment     = "qa"
    namespace       = "payments"
    service_account = "orders"
  }

  assert {
    condition     = jsondecode(aws_iam_role.service.assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:sub"] == "system:serviceaccount:payments:orders"
    error_message = "namespace and service_account must reach the trust policy."
  }
}

run "rabbitmq_queue_stage" {
  command = plan

  variables {
    environment = "stage"
    queue       = "rabbitmq"
  }

  assert {
    condition     = aws_mq_broker.rabbitmq[0].engine_type == "RabbitMQ" && aws_mq_broker.rabbitmq[0].deployment_mode == "CLUSTER_MULTI_AZ" && !aws_mq_broker.rabbitmq[0].publicly_accessible
    error_message = "stage RabbitMQ is a private multi-AZ cluster."
  }

  assert {
    condition     = aws_secretsmanager_secret.queue[0].name == "stage/orders-api/rabbitmq"
    error_message = "The queue credentials live in the service's secret."
  }

  assert {
    condition     = length(aws_elasticache_replication_group.redis) == 0
    error_message = "rabbitmq must not create redis."
  }

  assert {
    condition     = length(aws_iam_role_policy.service) == 1
    error_message = "The role may read its queue secret."
  }
}

run "redis_queue_dev" {
  command = plan

  variables {
    environment = "dev"
    queue       = "redis"
  }

  assert {
    condition     = aws_elasticache_replication_group.redis[0].transit_encryption_enabled && aws_elasticache_replication_group.redis[0].at_rest_encryption_enabled
    error_message = "Redis must be encrypted in transit and at rest."
  }

  assert {
    condition     = aws_elasticache_user.redis_service[0].authentication_mode[0].type == "iam" && aws_elasticache_user.redis_default[0].access_string == "off -@all"
    error_message = "The service authenticates with IAM; the default user is switched off."
  }

  assert {
    condition     = aws_elasticache_replication_group.redis[0].num_cache_clusters == 1 && !aws_elasticache_replication_group.redis[0].multi_az_enabled
    error_message = "dev Redis is a single node."
  }

  assert {
    condition     = local.policy_statements[0].Action == "elasticache:Connect"
    error_message = "The role may connect to its own Redis."
  }

  assert {
    condition     = length(aws_mq_broker.rabbitmq) == 0
    error_message = "redis must not create a broker."
  }
}

run "database_restore_passes_through" {
  command = plan

  variables {
    environment = "prod"
    database    = true
    database_restore = {
      source_db_instance_identifier = "orders-api-prod"
      restore_time                  = "2026-11-27T03:00:00Z"
      identifier_suffix             = "r2"
    }
  }

  assert {
    condition     = module.database[0].identifier == "orders-api-prod-r2"
    error_message = "The restored service database comes up beside the old one."
  }
}

run "rejects_bad_name" {
  command = plan

  variables {
    environment = "dev"
    name        = "Orders_API"
  }

  expect_failures = [var.name]
}

run "rejects_unknown_queue" {
  command = plan

  variables {
    environment = "dev"
    queue       = "kafka"
  }

  expect_failures = [var.queue]
}

run "rejects_wrong_oidc_arn" {
  command = plan

  variables {
    environment = "dev"
    platform = {
      oidc_provider_arn         = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF"
      vpc_id                    = "vpc-0123456789abcdef0"
      data_subnet_ids           = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
      client_security_group_ids = ["sg-0bbbbbbbbbbbbbbb1"]
    }
  }

  expect_failures = [var.platform]
}
