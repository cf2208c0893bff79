# The runners' security group: egress only, configurable egress.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }

  mock_resource "aws_security_group" {
    defaults = {
      id      = "sg-0123456789abcdef0"
      arn     = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0"
      ingress = []
    }
  }

  mock_resource "aws_iam_instance_profile" {
    defaults = {
      arn = "arn:aws:iam::123456789012:instance-profile/ci-linux-runner"
    }
  }
}

variables {
  prefix = "ci"
  name   = "linux"
  ami_id = "ami-0123456789abcdef0"
  vpc_id = "vpc-0123456789abcdef0"
}

run "no_ingress_rules_at_all" {
  command = apply

  assert {
    condition     = length(aws_security_group.this.ingress) == 0
    error_message = "The runners' security group must have no ingress rule."
  }

  assert {
    condition     = aws_security_group.this.vpc_id == "vpc-0123456789abcdef0"
    error_message = "The security group must be in the given VPC."
  }
}

run "all_egress_by_default" {
  command = plan

  assert {
    condition = toset([for r in aws_vpc_security_group_egress_rule.this : "${r.ip_protocol} ${coalesce(r.cidr_ipv4, r.cidr_ipv6)}"]) == toset([
      "-1 0.0.0.0/0",
      "-1 ::/0",
    ])
    error_message = "By default runners may reach anything over IPv4 and IPv6."
  }
}

run "egress_can_be_narrowed" {
  command = plan

  variables {
    egress_rules = [
      { description = "HTTPS", cidr_ipv4 = "0.0.0.0/0", ip_protocol = "tcp", from_port = 443, to_port = 443 },
      { description = "S3 gateway endpoint", prefix_list_id = "pl-63a5400a", ip_protocol = "tcp", from_port = 443, to_port = 443 },
    ]
  }

  assert {
    condition     = length(aws_vpc_security_group_egress_rule.this) == 2
    error_message = "Each egress rule must become one security group rule."
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.this["0"].from_port == 443 && aws_vpc_security_group_egress_rule.this["0"].to_port == 443 && aws_vpc_security_group_egress_rule.this["0"].ip_protocol == "tcp"
    error_message = "Ports and protocol must reach the rule."
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.this["1"].prefix_list_id == "pl-63a5400a"
    error_message = "Prefix-list destinations must reach the rule."
  }
}

run "no_egress_when_empty" {
  command = plan

  variables {
    egress_rules = []
  }

  assert {
    condition     = length(aws_vpc_security_group_egress_rule.this) == 0
    error_message = "An empty egress_rules must leave the group with no rule at all."
  }
}
