# Plan-level tests with a mocked AWS provider.
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
  name       = "slipway-test"
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  node_groups = {
    general = { instance_types = ["m7g.large"], min_size = 2, desired_size = 3, max_size = 6 }
  }
  tags = { team = "platform" }
}

run "private_endpoint_logging_encryption" {
  command = plan

  variables {
    environment = "prod"
  }

  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].endpoint_private_access && !aws_eks_cluster.this.vpc_config[0].endpoint_public_access
    error_message = "The API endpoint must be private by default."
  }

  assert {
    condition     = toset(aws_eks_cluster.this.enabled_cluster_log_types) == toset(["api", "audit", "authenticator", "controllerManager", "scheduler"])
    error_message = "All control-plane log types must be enabled."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/eks/slipway-test/cluster" && aws_cloudwatch_log_group.this.retention_in_days == 365
    error_message = "Control-plane logs go to the EKS log group, kept a year."
  }

  assert {
    condition     = aws_eks_cluster.this.encryption_config[0].resources == toset(["secrets"])
    error_message = "Kubernetes secrets must be envelope-encrypted."
  }

  assert {
    condition     = aws_eks_cluster.this.access_config[0].authentication_mode == "API"
    error_message = "Cluster access goes through EKS access entries."
  }

  assert {
    condition     = aws_iam_openid_connect_provider.this.client_id_list == toset(["sts.amazonaws.com"])
    error_message = "IRSA needs an OIDC provider for sts.amazonaws.com."
  }

  assert {
    condition     = aws_eks_node_group.this["general"].scaling_config[0].min_size == 2 && aws_eks_node_group.this["general"].scaling_config[0].max_size == 6
    error_message = "Managed node group sizes must come from node_groups."
  }

  assert {
    condition     = aws_launch_template.node["general"].metadata_options[0].http_tokens == "required" && aws_launch_template.node["general"].metadata_options[0].http_put_response_hop_limit == 1
    error_message = "Nodes must enforce IMDSv2 with hop limit 1 (pods use IRSA, not the node role)."
  }

  assert {
    condition     = aws_launch_template.node["general"].block_device_mappings[0].ebs[0].encrypted == "true"
    error_message = "Node root volumes must be encrypted."
  }

  assert {
    condition     = aws_eks_cluster.this.tags["environment"] == "prod" && aws_eks_cluster.this.tags["team"] == "platform"
    error_message = "The cluster must carry environment and caller tags."
  }
}

run "public_endpoint_option" {
  command = plan

  variables {
    environment            = "dev"
    endpoint_public_access = true
    public_access_cidrs    = ["203.0.113.0/24"]
  }

  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].endpoint_public_access && aws_eks_cluster.this.vpc_config[0].public_access_cidrs == toset(["203.0.113.0/24"])
    error_message = "The public endpoint option must restrict access to the given CIDRs."
  }
}

run "rejects_open_public_endpoint" {
  command = plan

  variables {
    environment            = "dev"
    endpoint_public_access = true
    public_access_cidrs    = ["0.0.0.0/0"]
  }

  expect_failures = [var.public_access_cidrs]
}

run "rejects_inverted_node_group_sizes" {
  command = plan

  variables {
    environment = "dev"
    node_groups = {
      general = { instance_types = ["m7g.large"], min_size = 3, desired_size = 1, max_size = 2 }
    }
  }

  expect_failures = [var.node_groups]
}
