# Everything that makes stage stage: the only file that differs between stacks.
locals {
  environment        = "stage"
  region             = "eu-west-1"
  vpc_cidr           = "10.30.0.0/16"
  availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  domain_name        = "stage.slipway.example.com"

  node_groups = {
    general = { instance_types = ["m7g.large"], min_size = 2, desired_size = 3, max_size = 6 }
  }

  # Null: the database module's environment default.
  database_instance_class = null

  image_repositories = ["orders-api", "billing-worker"]
}
