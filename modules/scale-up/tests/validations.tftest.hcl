# Each invalid input fails at plan with an error naming the variable. Only the inputs no
# other module checks are validated here: modules/runners validates what users give
# (prefix, pools, runtime, logging, the App, KMS keys) and modules/function the Lambda's
# limits (memory, timeout, concurrency, event source); their tests hold those reject runs.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  prefix     = "ci"
  name       = "ci-scale-up"
  function   = { zip_path = "tests/fixtures/lambda.zip" }
  pools_json = file("../../test/fixtures/pools.json")
  runners = {
    role_arns          = ["arn:aws:iam::123456789012:role/ci-deploy-runner", "arn:aws:iam::123456789012:role/ci-linux-runner"]
    security_group_ids = ["sg-0bbbbbbbbbbbbbbb2", "sg-0aaaaaaaaaaaaaaa1"]
  }
  jobs_queue = {
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs"
  }
  state_table = {
    name = "ci-state"
    arn  = "arn:aws:dynamodb:us-east-1:123456789012:table/ci-state"
  }
  github_app = {
    id            = "123456"
    key_parameter = "/ci/github-app/key"
  }
}

run "reject_jobs_queue_arn_of_another_service" {
  command = plan
  variables {
    jobs_queue = { url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs", arn = "arn:aws:sns:us-east-1:123456789012:ci-jobs" }
  }
  expect_failures = [var.jobs_queue]
}

run "reject_state_table_name_not_matching_arn" {
  command = plan
  variables {
    state_table = { name = "other", arn = "arn:aws:dynamodb:us-east-1:123456789012:table/ci-state" }
  }
  expect_failures = [var.state_table]
}

run "reject_negative_fresh_seconds" {
  command = plan
  variables {
    fresh_message_seconds = -1
  }
  expect_failures = [var.fresh_message_seconds]
}
