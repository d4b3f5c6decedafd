# The environment's composition. This file is identical in every stack
# (tests/terraform pins that): environments differ only in environment.tf.

provider "aws" {
  region = local.region

  default_tags {
    tags = {
      environment = local.environment
      managed-by  = "terraform"
      stack       = "slipway-${local.environment}"
    }
  }
}

locals {
  name = "slipway-${local.environment}"
}

module "network" {
  source = "../../modules/network"

  name               = local.name
  environment        = local.environment
  cidr_block         = local.vpc_cidr
  availability_zones = local.availability_zones
  cluster_name       = local.name
}

module "cluster" {
  source = "../../modules/cluster"

  name        = local.name
  environment = local.environment
  vpc_id      = module.network.vpc_id
  subnet_ids  = module.network.private_subnet_ids
  node_groups = local.node_groups
}

module "database" {
  source = "../../modules/database"

  name                       = "platform"
  environment                = local.environment
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.data_subnet_ids
  allowed_security_group_ids = [module.cluster.node_security_group_id]
  instance_class             = local.database_instance_class
}

module "registry" {
  source = "../../modules/registry"

  environment  = local.environment
  repositories = local.image_repositories
}

module "edge" {
  source = "../../modules/edge"

  name                       = local.name
  environment                = local.environment
  vpc_id                     = module.network.vpc_id
  public_subnet_ids          = module.network.public_subnet_ids
  domain_name                = local.domain_name
  ingress_security_group_ids = [module.cluster.node_security_group_id]
}
