# orders-api's cloud resources: the platform's service module (IAM role
# for the service account, PostgreSQL database),
# with the environment's platform facts read from its stack's remote state.

data "terraform_remote_state" "platform" {
  backend = "s3"

  config = {
    bucket = var.state_bucket
    key    = "stacks/${var.environment}/terraform.tfstate"
    region = var.region
  }
}

module "service" {
  source = "../../../../terraform/modules/service"

  name        = "orders-api"
  environment = var.environment
  team        = "payments"
  database    = true
  queue       = "none"
  platform    = data.terraform_remote_state.platform.outputs.service_platform
}
