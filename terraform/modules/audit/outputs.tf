output "trail_arn" {
  description = "ARN of the audit trail."
  value       = aws_cloudtrail.this.arn
}

output "trail_name" {
  description = "Name of the audit trail."
  value       = aws_cloudtrail.this.name
}

output "multi_region" {
  description = "Whether the trail records every region."
  value       = aws_cloudtrail.this.is_multi_region_trail
}

output "log_file_validation" {
  description = "Whether CloudTrail signs digest files (tamper evidence)."
  value       = aws_cloudtrail.this.enable_log_file_validation
}

output "management_events" {
  description = "Which management events the trail records (\"All\": reads and writes, ECR and EKS API calls included)."
  value       = aws_cloudtrail.this.event_selector[0].read_write_type
}

output "log_group_name" {
  description = "CloudWatch Logs group receiving the trail."
  value       = aws_cloudwatch_log_group.trail.name
}

output "registry_alarm_name" {
  description = "CloudWatch alarm on ECR changes that delete images or change who may."
  value       = aws_cloudwatch_metric_alarm.registry_changes.alarm_name
}

output "registry_events" {
  description = "The ECR API calls the registry alarm counts."
  value       = local.registry_changes
}
