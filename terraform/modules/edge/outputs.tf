output "load_balancer_arn" {
  description = "ARN of the application load balancer."
  value       = aws_lb.this.arn
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer: point `domain_name` at it (alias/CNAME)."
  value       = aws_lb.this.dns_name
}

output "load_balancer_zone_id" {
  description = "Hosted zone of the load balancer, for Route 53 alias records."
  value       = aws_lb.this.zone_id
}

output "target_group_arn" {
  description = "IP target group to bind the ingress controller to (TargetGroupBinding)."
  value       = aws_lb_target_group.ingress.arn
}

output "security_group_id" {
  description = "Security group of the load balancer: allow it into the ingress pods on `ingress_port`."
  value       = aws_security_group.alb.id
}

output "certificate_arn" {
  description = "ACM certificate served by the HTTPS listener."
  value       = aws_acm_certificate.this.arn
}

output "certificate_validation_records" {
  description = "DNS records to create so ACM can issue the certificate."
  value = [for o in aws_acm_certificate.this.domain_validation_options : {
    name  = o.resource_record_name
    type  = o.resource_record_type
    value = o.resource_record_value
  }]
}

output "waf_web_acl_arn" {
  description = "ARN of the WAF web ACL, or null when WAF is off."
  value       = local.waf_enabled ? aws_wafv2_web_acl.this[0].arn : null
}

output "waf_enabled" {
  description = "Whether a WAF web ACL protects the load balancer."
  value       = local.waf_enabled
}
