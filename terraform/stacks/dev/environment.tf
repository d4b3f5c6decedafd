# Everything that makes dev dev: the only file that differs between stacks.
locals {
  environment        = "dev"
  region             = "eu-west-1"
  vpc_cidr           = "10.10.0.0/16"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
  domain_name        = "dev.slipway.example.com"

  node_groups = {
    general = { instance_types = ["t4g.large"], min_size = 1, desired_size = 2, max_size = 4 }
  }

  # Null: the database module's environment default.
  database_instance_class = null

  image_repositories = ["orders-api", "billing-worker"]
}
