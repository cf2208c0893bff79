# Functions in a VPC (lambda_vpc): every function gets the subnets and a security group,
# skiff creates one with HTTPS egress only when none is given, and bad IDs fail at plan.
# Planned under a mocked AWS provider.

mock_provider "aws" {
  override_during = plan

  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_ssm_parameter" {
    defaults = { insecure_value = "ami-0123456789abcdef0", value = "ami-0123456789abcdef0" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:us-east-1:123456789012:mock", id = "https://sqs.us-east-1.amazonaws.com/123456789012/mock" }
  }
  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/ci-state" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
  }
  mock_resource "aws_security_group" {
    defaults = { id = "sg-0123456789abcdef0", arn = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0" }
  }
  mock_resource "aws_launch_template" {
    defaults = { id = "lt-0123456789abcdef0", arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0123456789abcdef0" }
  }
  mock_resource "aws_apigatewayv2_api" {
    defaults = { id = "a1b2c3d4e5", api_endpoint = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", execution_arn = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5" }
  }
}

variables {
  prefix     = "ci"
  github_app = { id = "123456" }
  network = {
    vpc_id     = "vpc-0123456789abcdef0"
    subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"]
  }
  lambdas = {
    zip_paths = {
      webhook    = "../webhook/tests/fixtures/lambda.zip"
      scale_up   = "../scale-up/tests/fixtures/lambda.zip"
      lifecycle  = "../lifecycle/tests/fixtures/lambda.zip"
      scale_down = "../scale-down/tests/fixtures/lambda.zip"
    }
  }
  pools = {
    linux = { instance_types = ["m7i.large"], max_runners = 5 }
  }
}

run "without_lambda_vpc_the_functions_stay_on_lambdas_network" {
  command = plan

  assert {
    condition     = alltrue([for m in [module.webhook, module.scale_up, module.lifecycle, module.scale_down] : m.vpc_subnet_ids == null]) && output.lambda_security_group_id == null
    error_message = "Without lambda_vpc no function may be put in a VPC and no security group be created for them."
  }
}

run "lambda_vpc_puts_every_function_in_the_subnets_with_an_https_only_group" {
  command = plan

  variables {
    lambda_vpc = { subnet_ids = ["subnet-0ddddddddddddddd4", "subnet-0eeeeeeeeeeeeeee5"] }
  }

  assert {
    condition     = alltrue([for m in [module.webhook, module.scale_up, module.lifecycle, module.scale_down] : toset(m.vpc_subnet_ids) == toset(["subnet-0ddddddddddddddd4", "subnet-0eeeeeeeeeeeeeee5"])])
    error_message = "lambda_vpc.subnet_ids must reach all four functions: a GitHub Enterprise Server on a private network must be reachable from each that calls GitHub."
  }

  assert {
    condition     = aws_security_group.lambda[0].vpc_id == "vpc-0123456789abcdef0" && output.lambda_security_group_id == "sg-0123456789abcdef0"
    error_message = "Without security_group_ids skiff must create the functions' group in network's VPC and output it."
  }

  assert {
    condition     = length(aws_vpc_security_group_egress_rule.lambda_https) == 2 && alltrue([for r in values(aws_vpc_security_group_egress_rule.lambda_https) : r.ip_protocol == "tcp" && r.from_port == 443 && r.to_port == 443])
    error_message = "The functions' group must allow egress on TCP 443 only (every call they make is HTTPS), and no ingress rule."
  }
}

run "lambda_vpc_with_security_groups_uses_them_and_creates_none" {
  command = plan

  variables {
    lambda_vpc = { subnet_ids = ["subnet-0ddddddddddddddd4"], security_group_ids = ["sg-0fedcba9876543210"] }
  }

  assert {
    condition     = length(aws_security_group.lambda) == 0 && output.lambda_security_group_id == null && toset(module.webhook.vpc_subnet_ids) == toset(["subnet-0ddddddddddddddd4"])
    error_message = "Given security groups, skiff must use them and create no group of its own."
  }
}

run "reject_lambda_vpc_without_subnets" {
  command = plan

  variables {
    lambda_vpc = { subnet_ids = [] }
  }

  expect_failures = [var.lambda_vpc]
}

run "reject_lambda_vpc_with_a_security_group_name" {
  command = plan

  variables {
    lambda_vpc = { subnet_ids = ["subnet-0ddddddddddddddd4"], security_group_ids = ["default"] }
  }

  expect_failures = [var.lambda_vpc]
}
