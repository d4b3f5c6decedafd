# The environment's entry point: an internet-facing ALB terminating TLS
# (TLS 1.2+ policy, HTTP redirected to HTTPS) and forwarding to the in-cluster
# ingress controller through an IP target group. The AWS Load Balancer
# Controller's TargetGroupBinding registers the ingress pods into it.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  waf_enabled         = coalesce(var.waf_enabled, var.environment == "prod")
  deletion_protection = contains(["stage", "prod"], var.environment)

  tags = merge(var.tags, {
    environment = var.environment
    managed-by  = "terraform"
    module      = "slipway/edge"
  })
}

resource "aws_acm_certificate" "this" {
  domain_name               = var.domain_name
  subject_alternative_names = var.subject_alternative_names
  validation_method         = "DNS"
  tags                      = local.tags

  lifecycle {
    create_before_destroy = true
  }
}

# Waits until the DNS records (output `certificate_validation_records`) exist
# and ACM has issued the certificate; the HTTPS listener needs an issued one.
resource "aws_acm_certificate_validation" "this" {
  certificate_arn = aws_acm_certificate.this.arn
}

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "${var.name} ALB: HTTPS and HTTP (redirect) from anywhere, to the ingress only"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-alb" })
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from the internet"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_ingress_rule" "http_redirect" {
  #checkov:skip=CKV_AWS_260:Port 80 only answers with a permanent redirect to HTTPS (listener http_redirect); no content is served over HTTP.
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from the internet, redirected to HTTPS"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
}

resource "aws_vpc_security_group_egress_rule" "to_ingress" {
  # count, not for_each: the ids are often unknown until apply (new cluster).
  count = length(var.ingress_security_group_ids)

  security_group_id            = aws_security_group.alb.id
  description                  = "To the ingress controller"
  referenced_security_group_id = var.ingress_security_group_ids[count.index]
  ip_protocol                  = "tcp"
  from_port                    = var.ingress_port
  to_port                      = var.ingress_port
}

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28:A WAF web ACL is attached in prod (waf.tf, asserted by tests/edge.tftest.hcl); dev/qa/stage run without one to save cost.
  #checkov:skip=CKV2_AWS_76:The prod web ACL includes AWSManagedRulesKnownBadInputsRuleSet (Log4j, waf.tf); without WAF (dev/qa/stage) there is no ACL to configure.
  #checkov:skip=CKV_AWS_150:Deletion protection is on in stage and prod (asserted by tests); dev/qa load balancers must be disposable.
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.public_subnet_ids
  security_groups            = [aws_security_group.alb.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = local.deletion_protection
  idle_timeout               = 60

  access_logs {
    bucket  = aws_s3_bucket.access_logs.id
    prefix  = "alb"
    enabled = true
  }

  tags = local.tags

  depends_on = [aws_s3_bucket_policy.access_logs]
}

resource "aws_lb_target_group" "ingress" {
  name        = "${var.name}-ingress"
  target_type = "ip"
  protocol    = "HTTPS"
  port        = var.ingress_port
  vpc_id      = var.vpc_id

  health_check {
    protocol            = "HTTPS"
    path                = "/healthz"
    matcher             = "200"
    healthy_threshold   = 2
    unhealthy_threshold = 3
    interval            = 10
  }

  # Matches the chassis/Helm shutdown: preStop 10 s + grace 20 s < 45 s.
  deregistration_delay = 30

  tags = local.tags
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.this.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.ingress.arn
  }

  tags = local.tags
}

resource "aws_lb_listener" "http_redirect" {
  #checkov:skip=CKV_AWS_2:This listener only redirects HTTP to HTTPS (301); it never forwards traffic.
  #checkov:skip=CKV_AWS_103:This listener only redirects to the HTTPS listener, which enforces TLS 1.2+.
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }

  tags = local.tags
}
