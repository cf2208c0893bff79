# Bad inputs fail at plan with a message naming the variable (invariant 7). Only the inputs
# no other module checks are validated here: modules/runners validates what users give
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
  prefix              = "ci"
  name                = "ci-lifecycle"
  function            = { zip_path = "tests/fixtures/lambda.zip" }
  pools_json          = file("../../test/fixtures/pools.json")
  lifecycle_queue_arn = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle"
  lifecycle_dlq_arn   = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle-dlq"
  jobs_queue = {
    url     = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
    arn     = "arn:aws:sqs:us-east-1:123456789012:ci-jobs"
    dlq_url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs-dlq"
    dlq_arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs-dlq"
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
run "reject_jobs_dlq_url_over_http" {
  command = plan
  variables {
    jobs_queue = { url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs", arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs", dlq_url = "http://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs-dlq", dlq_arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs-dlq" }
  }
  expect_failures = [var.jobs_queue]
}

run "reject_jobs_dlq_arn_not_an_arn" {
  command = plan
  variables {
    jobs_queue = { url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs", arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs", dlq_url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs-dlq", dlq_arn = "ci-jobs-dlq" }
  }
  expect_failures = [var.jobs_queue]
}

run "reject_jobs_queue_arn_of_another_service" {
  command = plan
  variables {
    jobs_queue = { url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs", arn = "arn:aws:sns:us-east-1:123456789012:ci-jobs", dlq_url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs-dlq", dlq_arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs-dlq" }
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

run "reject_negative_max_requeues" {
  command = plan
  variables {
    max_requeues = -1
  }
  expect_failures = [var.max_requeues]
}

run "reject_max_requeues_over_20" {
  command = plan
  variables {
    max_requeues = 21
  }
  expect_failures = [var.max_requeues]
}

run "reject_lifecycle_queue_arn_of_another_service" {
  command = plan
  variables {
    lifecycle_queue_arn = "arn:aws:sns:us-east-1:123456789012:ci-lifecycle"
  }
  expect_failures = [var.lifecycle_queue_arn]
}
