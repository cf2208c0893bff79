# Debugging (debug, pools[*].debug): per pool or for all, off by default, log groups named
# in the outputs. The runner role's policy with debugging on (Session Manager's actions,
# the denies holding) is checked on real policy JSON in modules/runner-pool/tests/iam.

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
    linux  = { instance_types = ["m7i.large"], max_runners = 5 }
    deploy = { labels = ["deploy"], instance_types = ["m7i.large"], max_runners = 2, debug = { ship_logs = false } }
  }
}

run "debugging_is_off_by_default" {
  command = plan

  assert {
    condition     = output.runner_log_group_names == {} && alltrue([for d in values(local.debug) : !d.session_manager && !d.ship_logs])
    error_message = "Session Manager and log shipping must be opt-in."
  }
}

run "debug_applies_to_every_pool_unless_a_pool_says_otherwise" {
  command = plan

  variables {
    debug = { session_manager = true, ship_logs = true, log_retention_in_days = 7 }
  }

  assert {
    condition     = output.runner_log_group_names == { linux = module.runner_pool["linux"].log_group_name }
    error_message = "runner_log_group_names must name the log group of every pool that ships logs, and only those (deploy turned it off)."
  }

  assert {
    condition     = local.debug == { linux = { session_manager = true, ship_logs = true }, deploy = { session_manager = true, ship_logs = false } }
    error_message = "A pool's debug settings must override the deployment's, and unset ones take it."
  }

  assert {
    condition     = module.runner_pool["linux"].user_data_bytes > module.runner_pool["deploy"].user_data_bytes + 500
    error_message = "A pool that ships logs must configure the CloudWatch agent in its user data; one that does not must not."
  }
}

run "reject_debug_log_retention_that_cloudwatch_does_not_offer" {
  command = plan

  variables {
    debug = { ship_logs = true, log_retention_in_days = 10 }
  }

  expect_failures = [var.debug]
}
