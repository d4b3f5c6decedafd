output "iam_role_arn" {
  description = "ARN of the IAM role the service account assumes (IRSA)."
  value       = aws_iam_role.service.arn
}

output "iam_role_name" {
  description = "Name of the IAM role the service account assumes."
  value       = aws_iam_role.service.name
}

output "service_account_annotations" {
  description = "Annotations to put on the Kubernetes service account (Helm value serviceAccount.annotations)."
  value       = { "eks.amazonaws.com/role-arn" = aws_iam_role.service.arn }
}

output "namespace" {
  description = "Kubernetes namespace trusted by the IAM role."
  value       = local.namespace
}

output "service_account" {
  description = "Kubernetes service account name trusted by the IAM role."
  value       = local.service_account
}

output "database" {
  description = "The service database (null when database = false): endpoint address, port, database name, and the ARN of the Secrets Manager secret holding username and password (managed and rotated by RDS)."
  value = var.database ? {
    address    = module.database[0].address
    port       = module.database[0].port
    name       = module.database[0].database_name
    secret_arn = module.database[0].master_user_secret_arn
  } : null
}

output "queue" {
  description = "The service queue (null when queue = none): engine, endpoint, and the ARN of the Secrets Manager secret with its connection details."
  value       = local.queue_output
}

output "secret_arns" {
  description = "Every Secrets Manager secret the service role may read (to sync into Kubernetes, e.g. with External Secrets)."
  value       = local.readable_secret_arns
}

output "tags" {
  description = "Tags applied to every resource of this service."
  value       = local.tags
}
