# Plans this example under a mocked AWS provider (no credentials, no network), with the
# modules' fixture zips in place of the `make build` output, so the example cannot rot: an
# EC2 pool and a Fargate pool in one deployment in a new VPC, and the OIDC role.

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
    defaults = { arn = "arn:aws:iam::123456789012:role/mock", unique_id = "AROAEXAMPLETASKROLE01" }
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
  mock_resource "aws_ecr_repository" {
    defaults = { repository_url = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ci/skiff-runner", arn = "arn:aws:ecr:us-east-1:123456789012:repository/ci/skiff-runner" }
  }
  mock_resource "aws_ecs_cluster" {
    defaults = { arn = "arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners" }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/ci-lint-runner:1", revision = 1 }
  }
  mock_resource "aws_iam_openid_connect_provider" {
    defaults = { arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
  }
}

variables {
  github_app_id     = "123456"
  github_repository = "octo-org/app"
  lambda_zip_paths = {
    webhook    = "../../modules/webhook/tests/fixtures/lambda.zip"
    scale_up   = "../../modules/scale-up/tests/fixtures/lambda.zip"
    lifecycle  = "../../modules/lifecycle/tests/fixtures/lambda.zip"
    scale_down = "../../modules/scale-down/tests/fixtures/lambda.zip"
  }
}

run "plans_an_ec2_pool_and_a_fargate_pool_in_one_deployment" {
  command = plan

  assert {
    condition     = module.runners.pool_order == tolist(["lint", "linux"]) && keys(module.runners.launch_template_ids) == ["linux"] && keys(module.runners.task_definition_arns) == ["lint"]
    error_message = "The example must plan the linux pool on EC2 (a launch template) and the lint pool on Fargate (a task definition)."
  }

  assert {
    condition     = module.runners.fargate_cluster_arn == "arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners"
    error_message = "The Fargate pool must get skiff's cluster, ci-runners."
  }

  assert {
    condition     = output.repository_url == "123456789012.dkr.ecr.us-east-1.amazonaws.com/ci/skiff-runner" && aws_ecr_repository.runner.image_tag_mutability == "IMMUTABLE"
    error_message = "The example must output the ECR repository build.sh pushes to, with immutable tags (a pushed tag cannot be replaced under a running pool)."
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 1 && aws_iam_openid_connect_provider.github[0].url == "https://token.actions.githubusercontent.com" && aws_iam_openid_connect_provider.github[0].client_id_list == toset(["sts.amazonaws.com"])
    error_message = "Without github_oidc_provider_arn the example creates GitHub's OIDC provider with the sts.amazonaws.com audience."
  }
}

run "oidc_role_trusts_one_repository_and_branch_only" {
  command = plan

  variables {
    github_branch            = "release"
    github_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0
    error_message = "With github_oidc_provider_arn the example must not create a second provider."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.deploy_trust.statement[0].principals).identifiers == toset(["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"])
    error_message = "Only GitHub's OIDC provider may federate into the deploy role."
  }

  assert {
    condition = toset([for c in data.aws_iam_policy_document.deploy_trust.statement[0].condition : "${c.test} ${c.variable} ${jsonencode(c.values)}"]) == toset([
      "StringEquals token.actions.githubusercontent.com:aud [\"sts.amazonaws.com\"]",
      "StringEquals token.actions.githubusercontent.com:sub [\"repo:octo-org/app:ref:refs/heads/release\"]",
    ])
    error_message = "The deploy role must require audience sts.amazonaws.com and the exact subject of one repository's one branch (StringEquals, no wildcard)."
  }
}

run "reject_repository_not_owner_slash_name" {
  command = plan

  variables {
    github_repository = "app"
  }

  expect_failures = [var.github_repository]
}

run "reject_branch_wildcard" {
  command = plan

  variables {
    github_branch = "*"
  }

  expect_failures = [var.github_branch]
}
