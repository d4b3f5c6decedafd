# Plan-level tests with a mocked AWS provider: no credentials, no API calls.
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

variables {
  name               = "slipway-test"
  cidr_block         = "10.20.0.0/16"
  availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  tags               = { team = "platform" }
}

run "dev_subnet_layout_and_single_nat" {
  command = plan

  variables {
    environment = "dev"
  }

  assert {
    condition     = length(aws_subnet.public) == 3 && length(aws_subnet.private) == 3 && length(aws_subnet.data) == 3
    error_message = "Expected one public, one private and one data subnet per availability zone."
  }

  assert {
    condition     = aws_subnet.private[*].cidr_block == ["10.20.0.0/19", "10.20.32.0/19", "10.20.64.0/19"]
    error_message = "Private subnets must be /19 slices of the first half of the VPC range."
  }

  assert {
    condition     = aws_subnet.public[*].cidr_block == ["10.20.128.0/24", "10.20.129.0/24", "10.20.130.0/24"]
    error_message = "Public subnets must be /24 slices starting at the middle of the range."
  }

  assert {
    condition     = aws_subnet.data[*].cidr_block == ["10.20.144.0/24", "10.20.145.0/24", "10.20.146.0/24"]
    error_message = "Data subnets must be /24 slices 16 after the public ones."
  }

  assert {
    condition     = tolist(aws_subnet.private[*].availability_zone) == var.availability_zones
    error_message = "Subnets must follow the availability zone order."
  }

  assert {
    condition     = alltrue([for s in aws_subnet.public : s.map_public_ip_on_launch == false])
    error_message = "Public subnets must not hand out public IPs on launch."
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1
    error_message = "dev must use a single NAT gateway."
  }

  assert {
    condition     = length(aws_route.private_nat) == 3
    error_message = "Every private route table needs a default route through NAT."
  }

  assert {
    condition     = aws_vpc.this.tags["environment"] == "dev" && aws_vpc.this.tags["team"] == "platform" && aws_vpc.this.tags["managed-by"] == "terraform"
    error_message = "The VPC must carry the environment, managed-by and caller tags."
  }

  assert {
    condition     = alltrue([for s in aws_subnet.data : s.tags["tier"] == "data"])
    error_message = "Data subnets must be tagged tier=data."
  }
}

run "prod_nat_per_az_and_flow_logs" {
  command = plan

  variables {
    environment  = "prod"
    cluster_name = "slipway-prod"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 3
    error_message = "prod must have one NAT gateway per availability zone."
  }

  assert {
    condition     = aws_flow_log.this.traffic_type == "ALL"
    error_message = "Flow logs must capture all traffic."
  }

  assert {
    condition     = aws_cloudwatch_log_group.flow_logs.retention_in_days == 365
    error_message = "Flow logs must be kept one year by default."
  }

  assert {
    condition     = aws_kms_key.flow_logs.enable_key_rotation
    error_message = "The flow log key must rotate."
  }

  assert {
    condition     = aws_subnet.private[0].tags["kubernetes.io/cluster/slipway-prod"] == "shared" && aws_subnet.private[0].tags["kubernetes.io/role/internal-elb"] == "1"
    error_message = "Private subnets must be discoverable by the cluster's internal load balancers."
  }
}

run "rejects_bad_cidr" {
  command = plan

  variables {
    environment = "dev"
    cidr_block  = "10.20.0.0/24"
  }

  expect_failures = [var.cidr_block]
}

run "rejects_single_az" {
  command = plan

  variables {
    environment        = "dev"
    availability_zones = ["eu-west-1a"]
  }

  expect_failures = [var.availability_zones]
}

run "rejects_unknown_environment" {
  command = plan

  variables {
    environment = "production"
  }

  expect_failures = [var.environment]
}
