# Re-exports of terraform/modules/environment under the names other roots
# read: `service_platform` is what each service's Terraform root passes to
# the service module (through remote state; see platform/CONTRACTS.md).

output "service_platform" {
  description = "Input `platform` of terraform/modules/service for services in this environment."
  value       = module.environment.service_platform
}

output "cluster_name" {
  description = "EKS cluster name."
  value       = module.environment.cluster_name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint (private unless the cluster module says otherwise)."
  value       = module.environment.cluster_endpoint
}

output "database_address" {
  description = "Endpoint of the environment's platform database."
  value       = module.environment.database_address
}

output "database_secret_arn" {
  description = "Secrets Manager secret of the platform database's master user (managed by RDS)."
  value       = module.environment.database_secret_arn
}

output "repository_urls" {
  description = "ECR repository URL by service name."
  value       = module.environment.repository_urls
}

output "load_balancer_dns_name" {
  description = "Point the environment's DNS name here."
  value       = module.environment.load_balancer_dns_name
}

output "ingress_target_group_arn" {
  description = "Target group for the ingress controller's TargetGroupBinding."
  value       = module.environment.ingress_target_group_arn
}

output "certificate_validation_records" {
  description = "DNS records that let ACM issue the environment's certificate."
  value       = module.environment.certificate_validation_records
}
