# The root's provider: region and default tags from environment.tf. The
# environment itself is composed in terraform/modules/environment.
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
