# Everything that makes qa qa: its inputs to terraform/modules/environment,
# which holds the composition every stack shares.
locals {
  environment = "qa"
  region      = "eu-west-1"
}

module "environment" {
  source = "../../modules/environment"

  environment        = local.environment
  vpc_cidr           = "10.20.0.0/16"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
  domain_name        = "qa.slipway.example.com"
  node_groups = {
    general = { instance_types = ["t4g.large"], min_size = 1, desired_size = 2, max_size = 4 }
  }
  image_repositories = ["orders-api", "billing-worker"]
}
