# One Slipway environment: VPC, EKS cluster, platform database, ECR
# repositories, the public entry point and (stage, prod) the account's audit
# trail, wired together. Every stack in
# terraform/stacks calls this module once with its environment inputs; the
# provider (region, default tags) and the backend stay in the stack.

locals {
  name = "slipway-${var.environment}"
}

module "network" {
  source = "../network"

  name               = local.name
  environment        = var.environment
  cidr_block         = var.vpc_cidr
  availability_zones = var.availability_zones
  cluster_name       = local.name
  tags               = var.tags
}

module "cluster" {
  source = "../cluster"

  name        = local.name
  environment = var.environment
  vpc_id      = module.network.vpc_id
  subnet_ids  = module.network.private_subnet_ids
  node_groups = var.node_groups
  tags        = var.tags
}

module "database" {
  source = "../database"

  name                       = "platform"
  environment                = var.environment
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.data_subnet_ids
  allowed_security_group_ids = [module.cluster.node_security_group_id]
  instance_class             = var.database_instance_class
  identifier_suffix          = var.database_identifier_suffix
  restore                    = var.database_restore
  tags                       = var.tags
}

module "registry" {
  source = "../registry"

  environment  = var.environment
  repositories = var.image_repositories
  tags         = var.tags
}

module "edge" {
  source = "../edge"

  name                       = local.name
  environment                = var.environment
  vpc_id                     = module.network.vpc_id
  public_subnet_ids          = module.network.public_subnet_ids
  domain_name                = var.domain_name
  ingress_security_group_ids = [module.cluster.node_security_group_id]
  tags                       = var.tags
}

# The production-grade environments' audit trail: CloudTrail (every region, signed,
# every management event, ECR's and EKS's included) and an alarm on registry
# changes. The EKS control-plane audit log is on in every environment (cluster).
module "audit" {
  source = "../audit"
  count  = contains(["stage", "prod"], var.environment) ? 1 : 0

  name        = local.name
  environment = var.environment
  tags        = var.tags
}
