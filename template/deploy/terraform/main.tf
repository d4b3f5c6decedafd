# {{ service_name }}'s cloud resources: the platform's service module (IAM role
# for the service account{% if service_kind == 'http-api' and database == 'postgres' %}, PostgreSQL database{% endif %}{% if service_kind == 'queue-worker' %}, {{ queue }}{% endif %}),
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
{% if repo_mode == 'monorepo' %}
  source = "../../../../terraform/modules/service"
{% else %}
  source = "git::{{ platform_git_url }}//terraform/modules/service?ref={{ platform_ref }}"
{% endif %}

  name        = "{{ service_name }}"
  environment = var.environment
  team        = "{{ owner_team }}"
  database    = {{ 'true' if service_kind == 'http-api' and database == 'postgres' else 'false' }}
  queue       = "{{ queue if service_kind == 'queue-worker' else 'none' }}"
  platform    = data.terraform_remote_state.platform.outputs.service_platform
}
