# Everything that makes prod prod: the only file that differs between stacks.
locals {
  environment        = "prod"
  region             = "eu-west-1"
  vpc_cidr           = "10.40.0.0/16"
  availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  domain_name        = "www.slipway.example.com"

  node_groups = {
    general = { instance_types = ["m7g.xlarge"], min_size = 3, desired_size = 3, max_size = 12 }
  }

  # Null: the database module's environment default.
  database_instance_class = null

  image_repositories = ["orders-api", "billing-worker"]
}
