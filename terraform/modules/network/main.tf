# One VPC per environment: public subnets (load balancers, NAT), private
# subnets (cluster nodes and pods, egress through NAT) and data subnets
# (databases and queues, no route to the internet at all), one of each per AZ.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  az_count = length(var.availability_zones)

  # Subnet layout, relative to the VPC prefix (p = 16..18):
  #   private: first half of the range, one /(p+3) per AZ (pods need many IPs);
  #   public:  /(p+8) slices starting at the middle of the range;
  #   data:    /(p+8) slices 16 further on.
  private_cidrs = [for i in range(local.az_count) : cidrsubnet(var.cidr_block, 3, i)]
  public_cidrs  = [for i in range(local.az_count) : cidrsubnet(var.cidr_block, 8, 128 + i)]
  data_cidrs    = [for i in range(local.az_count) : cidrsubnet(var.cidr_block, 8, 144 + i)]

  nat_gateway_mode  = coalesce(var.nat_gateway_mode, contains(["stage", "prod"], var.environment) ? "per_az" : "single")
  nat_gateway_count = local.nat_gateway_mode == "per_az" ? local.az_count : 1

  cluster_tag = var.cluster_name == null ? {} : { "kubernetes.io/cluster/${var.cluster_name}" = "shared" }

  tags = merge(var.tags, {
    environment = var.environment
    managed-by  = "terraform"
    module      = "slipway/network"
  })
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true # RDS, EKS private endpoints and VPC endpoints need DNS names

  tags = merge(local.tags, { Name = var.name })
}

# Nothing may use the default security group: strip all its rules.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = "${var.name}-default-deny" })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = var.name })
}

resource "aws_subnet" "public" {
  count = local.az_count

  vpc_id            = aws_vpc.this.id
  cidr_block        = local.public_cidrs[count.index]
  availability_zone = var.availability_zones[count.index]
  # Load balancers get their own addresses; nothing else should be public.
  map_public_ip_on_launch = false

  tags = merge(local.tags, local.cluster_tag, {
    Name                     = "${var.name}-public-${var.availability_zones[count.index]}"
    tier                     = "public"
    "kubernetes.io/role/elb" = "1"
  })
}

resource "aws_subnet" "private" {
  count = local.az_count

  vpc_id            = aws_vpc.this.id
  cidr_block        = local.private_cidrs[count.index]
  availability_zone = var.availability_zones[count.index]

  tags = merge(local.tags, local.cluster_tag, {
    Name                              = "${var.name}-private-${var.availability_zones[count.index]}"
    tier                              = "private"
    "kubernetes.io/role/internal-elb" = "1"
  })
}

resource "aws_subnet" "data" {
  count = local.az_count

  vpc_id            = aws_vpc.this.id
  cidr_block        = local.data_cidrs[count.index]
  availability_zone = var.availability_zones[count.index]

  tags = merge(local.tags, {
    Name = "${var.name}-data-${var.availability_zones[count.index]}"
    tier = "data"
  })
}

resource "aws_eip" "nat" {
  count = local.nat_gateway_count

  domain = "vpc"
  tags   = merge(local.tags, { Name = "${var.name}-nat-${count.index}" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count = local.nat_gateway_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
  tags          = merge(local.tags, { Name = "${var.name}-nat-${var.availability_zones[count.index]}" })
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = "${var.name}-public" })
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = local.az_count

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

# One private route table per AZ so that per-AZ NAT keeps egress inside the AZ.
resource "aws_route_table" "private" {
  count = local.az_count

  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = "${var.name}-private-${var.availability_zones[count.index]}" })
}

resource "aws_route" "private_nat" {
  count = local.az_count

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[local.nat_gateway_mode == "per_az" ? count.index : 0].id
}

resource "aws_route_table_association" "private" {
  count = local.az_count

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

# Data subnets: local routes only (no internet gateway, no NAT).
resource "aws_route_table" "data" {
  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = "${var.name}-data" })
}

resource "aws_route_table_association" "data" {
  count = local.az_count

  subnet_id      = aws_subnet.data[count.index].id
  route_table_id = aws_route_table.data.id
}
