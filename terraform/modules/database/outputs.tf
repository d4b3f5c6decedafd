output "identifier" {
  description = "RDS instance identifier."
  value       = aws_db_instance.this.identifier
}

output "arn" {
  description = "RDS instance ARN."
  value       = aws_db_instance.this.arn
}

output "address" {
  description = "Hostname of the database endpoint."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "PostgreSQL port."
  value       = 5432
}

output "database_name" {
  description = "Name of the PostgreSQL database."
  value       = local.database_name
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret (managed and rotated by RDS) holding the master username and password."
  value       = try(aws_db_instance.this.master_user_secret[0].secret_arn, null)
}

output "kms_key_arn" {
  description = "KMS key encrypting storage, snapshots and the master secret (readers of the secret need kms:Decrypt on it)."
  value       = aws_kms_key.this.arn
}

output "security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.this.id
}

output "backup_retention_days" {
  description = "Automated backup retention in days (the point-in-time recovery window)."
  value       = aws_db_instance.this.backup_retention_period
}

output "final_snapshot_identifier" {
  description = "Name of the snapshot RDS takes when the instance is deleted."
  value       = aws_db_instance.this.final_snapshot_identifier
}

output "multi_az" {
  description = "Whether the instance runs a standby in a second AZ (stage and prod by default)."
  value       = aws_db_instance.this.multi_az
}

output "deletion_protection" {
  description = "Whether RDS refuses to delete the instance (stage and prod by default)."
  value       = aws_db_instance.this.deletion_protection
}
