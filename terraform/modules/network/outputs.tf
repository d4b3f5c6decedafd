output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "Availability zones the subnets span, in subnet order."
  value       = var.availability_zones
}

output "public_subnet_ids" {
  description = "Public subnets (internet-facing load balancers, NAT gateways), one per AZ."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets (cluster nodes and pods; egress through NAT), one per AZ."
  value       = aws_subnet.private[*].id
}

output "data_subnet_ids" {
  description = "Data subnets (databases, queues; no internet route), one per AZ."
  value       = aws_subnet.data[*].id
}

output "subnet_cidrs" {
  description = "The subnet layout: CIDRs per tier, in AZ order."
  value = {
    public  = local.public_cidrs
    private = local.private_cidrs
    data    = local.data_cidrs
  }
}

output "nat_gateway_count" {
  description = "Number of NAT gateways (1 in single mode, one per AZ in per_az mode)."
  value       = local.nat_gateway_count
}

output "flow_log_group_name" {
  description = "CloudWatch Logs group receiving the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}
