# Everything that makes stage stage: its inputs to terraform/modules/environment,
# which holds the composition every stack shares.
locals {
  environment = "stage"
  region      = "eu-west-1"
}

module "environment" {
  source = "../../modules/environment"

  environment        = local.environment
  vpc_cidr           = "10.30.0.0/16"
  availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  domain_name        = "stage.slipway.example.com"
  node_groups = {
    general = { instance_types = ["m7g.large"], min_size = 2, desired_size = 3, max_size = 6 }
  }
  image_repositories = ["orders-api", "billing-worker"]
}
