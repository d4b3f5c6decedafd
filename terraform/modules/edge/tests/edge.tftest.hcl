# Plan-level tests with a mocked AWS provider.
mock_provider "aws" {
  # Data sources feed ARNs that the provider validates: give them real shapes.
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
}

variables {
  name                       = "slipway-test"
  vpc_id                     = "vpc-0123456789abcdef0"
  public_subnet_ids          = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  domain_name                = "api.test.example.com"
  ingress_security_group_ids = ["sg-0bbbbbbbbbbbbbbb1"]
  tags                       = { team = "platform" }
}

run "prod_has_waf_and_tls" {
  command = plan

  variables {
    environment = "prod"
  }

  assert {
    condition     = length(aws_wafv2_web_acl.this) == 1 && length(aws_wafv2_web_acl_association.this) == 1
    error_message = "prod must have a WAF web ACL attached to the load balancer."
  }

  assert {
    condition     = length(aws_wafv2_web_acl_logging_configuration.this) == 1 && startswith(aws_cloudwatch_log_group.waf[0].name, "aws-waf-logs-")
    error_message = "WAF must log to an aws-waf-logs-* group."
  }

  assert {
    condition     = aws_lb_listener.https.protocol == "HTTPS" && aws_lb_listener.https.ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    error_message = "The listener must terminate TLS with a TLS 1.2+ policy."
  }

  assert {
    condition     = aws_lb_listener.http_redirect.default_action[0].type == "redirect" && aws_lb_listener.http_redirect.default_action[0].redirect[0].protocol == "HTTPS"
    error_message = "HTTP must redirect to HTTPS."
  }

  assert {
    condition     = aws_lb.this.drop_invalid_header_fields && aws_lb.this.enable_deletion_protection
    error_message = "The prod ALB drops invalid headers and is deletion-protected."
  }

  assert {
    condition     = aws_lb.this.access_logs[0].enabled
    error_message = "Access logs must be on."
  }

  assert {
    condition     = aws_acm_certificate.this.domain_name == "api.test.example.com" && aws_acm_certificate.this.validation_method == "DNS"
    error_message = "The certificate covers the domain and validates through DNS."
  }

  assert {
    condition     = aws_lb.this.tags["environment"] == "prod" && aws_lb.this.tags["team"] == "platform"
    error_message = "The load balancer carries environment and caller tags."
  }
}

run "dev_has_no_waf" {
  command = plan

  variables {
    environment = "dev"
  }

  assert {
    condition     = length(aws_wafv2_web_acl.this) == 0
    error_message = "dev runs without WAF by default."
  }

  assert {
    condition     = !aws_lb.this.enable_deletion_protection
    error_message = "dev load balancers are disposable."
  }
}

run "waf_can_be_forced_on" {
  command = plan

  variables {
    environment = "stage"
    waf_enabled = true
  }

  assert {
    condition     = length(aws_wafv2_web_acl.this) == 1
    error_message = "waf_enabled = true must attach a web ACL in any environment."
  }
}

run "rejects_bad_domain" {
  command = plan

  variables {
    environment = "dev"
    domain_name = "https://api.example.com/"
  }

  expect_failures = [var.domain_name]
}
