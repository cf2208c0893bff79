# Each invalid input fails at plan with an error naming the variable. Only the inputs no
# other module checks are validated here: modules/runners validates what users give
# (pools, runtime, logging, the App's parameters, KMS keys, allow-lists) and
# modules/function the Lambda's limits (memory, concurrency); their tests hold those
# reject runs.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name       = "ci-webhook"
  function   = { zip_path = "tests/fixtures/lambda.zip" }
  pools_json = file("../../test/fixtures/pools.json")
  jobs_queue = {
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs"
  }
  lifecycle_queue = {
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-lifecycle"
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle"
  }
  webhook_secret_parameters = ["/ci/github-app/webhook-secret"]
}

run "reject_timeout_beyond_api_gateway_limit" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", timeout = 30 }
  }
  expect_failures = [var.function]
}

run "reject_jobs_queue_arn_of_another_service" {
  command = plan
  variables {
    jobs_queue = { url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs", arn = "arn:aws:sns:us-east-1:123456789012:ci-jobs" }
  }
  expect_failures = [var.jobs_queue]
}

run "reject_lifecycle_queue_without_https_url" {
  command = plan
  variables {
    lifecycle_queue = { url = "ci-lifecycle", arn = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle" }
  }
  expect_failures = [var.lifecycle_queue]
}

run "reject_negative_secret_cache" {
  command = plan
  variables {
    secret_cache_seconds = -1
  }
  expect_failures = [var.secret_cache_seconds]
}

run "reject_zero_burst_limit" {
  command = plan
  variables {
    api = { throttling_burst_limit = 0 }
  }
  expect_failures = [var.api]
}

run "reject_zero_rate_limit" {
  command = plan
  variables {
    api = { throttling_rate_limit = 0 }
  }
  expect_failures = [var.api]
}
