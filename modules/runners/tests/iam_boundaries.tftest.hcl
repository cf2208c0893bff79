# IAM boundaries: every role skiff creates gets the permissions boundary and path of
# var.iam, and bad values fail at plan. Planned under a mocked AWS provider.

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
  mock_resource "aws_vpc" {
    defaults = { id = "vpc-0fedcba9876543210" }
  }
  mock_resource "aws_subnet" {
    defaults = { id = "subnet-0ccccccccccccccc3" }
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
    create_vpc = { availability_zones = ["us-east-1a"], flow_logs = { enabled = true } }
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
    arm   = { labels = ["graviton"], architecture = "arm64", instance_types = ["m7g.large"], max_runners = 5 }
  }
}

run "without_iam_roles_have_the_root_path_and_no_boundary" {
  command = plan

  assert {
    condition = alltrue([
      for m in [module.webhook, module.scale_up, module.lifecycle, module.scale_down, module.runner_pool["linux"], module.runner_pool["arm"]] :
      m.role_path == "/" && m.role_permissions_boundary_arn == null
    ])
    error_message = "Without iam, every role must have the path / and no permissions boundary."
  }
}

run "iam_sets_the_boundary_and_path_of_every_role_skiff_creates" {
  command = plan

  variables {
    iam = { permissions_boundary_arn = "arn:aws:iam::123456789012:policy/ci/boundary", path = "/skiff/ci/" }
  }

  assert {
    condition = alltrue([
      for m in [module.webhook, module.scale_up, module.lifecycle, module.scale_down, module.runner_pool["linux"], module.runner_pool["arm"]] :
      m.role_path == "/skiff/ci/" && m.role_permissions_boundary_arn == "arn:aws:iam::123456789012:policy/ci/boundary"
    ])
    error_message = "iam.permissions_boundary_arn and iam.path must reach every role skiff creates: the four functions' and each pool's runner role (modules/vpc's tests hold the flow logs role) (organisations whose SCPs require a boundary refuse to create any role without it)."
  }
}

run "reject_iam_boundary_that_is_not_a_policy_arn" {
  command = plan

  variables {
    iam = { permissions_boundary_arn = "arn:aws:iam::123456789012:role/boundary" }
  }

  expect_failures = [var.iam]
}

run "reject_iam_boundary_given_by_name" {
  command = plan

  variables {
    iam = { permissions_boundary_arn = "ci-boundary" }
  }

  expect_failures = [var.iam]
}

run "reject_iam_path_without_slashes_around_it" {
  command = plan

  variables {
    iam = { path = "skiff" }
  }

  expect_failures = [var.iam]
}

run "reject_iam_path_with_an_empty_segment" {
  command = plan

  variables {
    iam = { path = "/skiff//ci/" }
  }

  expect_failures = [var.iam]
}

run "reject_iam_path_with_a_space" {
  command = plan

  variables {
    iam = { path = "/skiff ci/" }
  }

  expect_failures = [var.iam]
}
