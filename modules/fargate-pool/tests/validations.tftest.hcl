# Bad input fails at plan with a message naming the variable and what is allowed. The
# pool's own settings (image, cpu and memory, storage, architecture, boot timeout, egress
# rules) and iam and tags are validated once, by modules/runners (tests/fargate.tftest.hcl
# and validations.tftest.hcl there); this module checks only what it alone is given.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_security_group" {
    defaults = { id = "sg-0123456789abcdef0", arn = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0" }
  }
}

variables {
  prefix = "ci"
  name   = "lint"
  image  = "123456789012.dkr.ecr.us-east-1.amazonaws.com/skiff/runner:2.337.0"
  vpc_id = "vpc-0123456789abcdef0"
}

run "reject_bad_prefix" {
  command = plan

  variables {
    prefix = "CI"
  }

  expect_failures = [var.prefix]
}

run "reject_bad_name" {
  command = plan

  variables {
    name = "lint_pool"
  }

  expect_failures = [var.name]
}

run "reject_bad_vpc_id" {
  command = plan

  variables {
    vpc_id = "vpc-xyz"
  }

  expect_failures = [var.vpc_id]
}

run "reject_log_retention_cloudwatch_does_not_offer" {
  command = plan

  variables {
    logs = { retention_in_days = 45 }
  }

  expect_failures = [var.logs]
}

run "reject_log_kms_key_that_is_not_an_arn" {
  command = plan

  variables {
    logs = { kms_key_arn = "alias/logs" }
  }

  expect_failures = [var.logs]
}

run "reject_jit_kms_key_that_is_not_an_arn" {
  command = plan

  variables {
    jit_kms_key_arn = "alias/jit"
  }

  expect_failures = [var.jit_kms_key_arn]
}

run "reject_bad_secret_parameter_name" {
  command = plan

  variables {
    secret_parameters = ["/shared/app key"]
  }

  expect_failures = [var.secret_parameters]
}
