# Plans this example under a mocked AWS provider (no credentials, no network), with the
# modules' fixture zips in place of the `make build` output, so the example cannot rot.
# One arm64 pool of Graviton types on a baked AMI named by an SSM parameter.

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
  github_app_id = "123456"
  lambda_zip_paths = {
    webhook    = "../../modules/webhook/tests/fixtures/lambda.zip"
    scale_up   = "../../modules/scale-up/tests/fixtures/lambda.zip"
    lifecycle  = "../../modules/lifecycle/tests/fixtures/lambda.zip"
    scale_down = "../../modules/scale-down/tests/fixtures/lambda.zip"
  }
}

run "plans_an_arm64_pool_of_graviton_types_on_the_baked_arm64_ami" {
  command = plan

  # The plan itself is the first assertion: modules/runners refuses Graviton types in a
  # pool that is not arm64, and a baked pool without an AMI.
  assert {
    condition     = module.runners.pool_order == tolist(["graviton"]) && length(module.runners.launch_template_ids) == 1
    error_message = "The example must plan one pool, graviton."
  }

  assert {
    condition     = length(module.runners.subnet_ids) == 3
    error_message = "The example must create a VPC with a subnet in each of the three zones, for spot capacity."
  }
}
