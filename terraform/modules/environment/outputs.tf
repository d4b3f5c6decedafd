output "service_platform" {
  description = "Input `platform` of terraform/modules/service for services in this environment (stacks re-export it; the template's service roots read it)."
  value = {
    oidc_provider_arn         = module.cluster.oidc_provider_arn
    vpc_id                    = module.network.vpc_id
    data_subnet_ids           = module.network.data_subnet_ids
    client_security_group_ids = [module.cluster.node_security_group_id]
  }
}

output "cluster_name" {
  description = "EKS cluster name."
  value       = module.cluster.name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint (private unless the cluster module says otherwise)."
  value       = module.cluster.endpoint
}

output "database_address" {
  description = "Endpoint of the environment's platform database."
  value       = module.database.address
}

output "database_secret_arn" {
  description = "Secrets Manager secret of the platform database's master user (managed by RDS)."
  value       = module.database.master_user_secret_arn
}

output "database_backup_retention_days" {
  description = "Days of automated backups the platform database keeps (terraform/RESTORE.md)."
  value       = module.database.backup_retention_days
}

output "repository_urls" {
  description = "ECR repository URL by service name."
  value       = module.registry.repository_urls
}

output "load_balancer_dns_name" {
  description = "Point the environment's DNS name here."
  value       = module.edge.load_balancer_dns_name
}

output "ingress_target_group_arn" {
  description = "Target group for the ingress controller's TargetGroupBinding."
  value       = module.edge.target_group_arn
}

output "certificate_validation_records" {
  description = "DNS records that let ACM issue the environment's certificate."
  value       = module.edge.certificate_validation_records
}

output "waf_enabled" {
  description = "Whether the entry point is behind the WAF (prod)."
  value       = module.edge.waf_enabled
}

output "control_plane_log_types" {
  description = "EKS control-plane log types sent to CloudWatch Logs (the Kubernetes audit log included)."
  value       = module.cluster.enabled_log_types
}

output "audit_trail" {
  description = "The account's audit trail (stage, prod; null in dev and qa): name, multi-region, log-file validation, management events recorded, registry alarm."
  value = length(module.audit) == 0 ? null : {
    name                = module.audit[0].trail_name
    multi_region        = module.audit[0].multi_region
    log_file_validation = module.audit[0].log_file_validation
    management_events   = module.audit[0].management_events
    registry_alarm_name = module.audit[0].registry_alarm_name
  }
}
