# Everything that makes prod prod: its inputs to terraform/modules/environment,
# which holds the composition every stack shares.
locals {
  environment = "prod"
  region      = "eu-west-1"
}

module "environment" {
  source = "../../modules/environment"

  environment        = local.environment
  vpc_cidr           = "10.40.0.0/16"
  availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  domain_name        = "www.slipway.example.com"
  node_groups = {
    general = { instance_types = ["m7g.xlarge"], min_size = 3, desired_size = 3, max_size = 12 }
  }
  image_repositories = ["orders-api", "billing-worker"]
}
