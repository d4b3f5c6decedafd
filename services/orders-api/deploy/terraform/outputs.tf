output "service_account_annotations" {
  description = "Helm value serviceAccount.annotations (IRSA role of orders-api)."
  value       = module.service.service_account_annotations
}

output "iam_role_arn" {
  description = "IAM role the service account assumes."
  value       = module.service.iam_role_arn
}
