# Remote state in S3 with native lock files (Terraform >= 1.10). Declared
# here, never initialised by tests (`terraform init -backend=false`). The
# bucket is created once per account, outside these stacks.
terraform {
  backend "s3" {
    bucket       = "slipway-terraform-state"
    key          = "stacks/prod/terraform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}
