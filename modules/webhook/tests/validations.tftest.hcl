# Each invalid input fails at plan with an error naming the variable.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name     = "ci-webhook"
  function = { zip_path = "tests/fixtures/lambda.zip" }
  pools    = [{ name = "ci", labels = ["linux"] }]
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

run "reject_name_with_spaces" {
  command = plan
  variables {
    name = "ci webhook"
  }
  expect_failures = [var.name]
}

run "reject_missing_zip" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/missing.zip" }
  }
  expect_failures = [aws_lambda_function.this]
}

run "reject_old_nodejs_runtime" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", runtime = "nodejs20.x" }
  }
  expect_failures = [var.function]
}

run "reject_unknown_architecture" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", architecture = "x64" }
  }
  expect_failures = [var.function]
}

run "reject_memory_below_lambda_minimum" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", memory_size = 64 }
  }
  expect_failures = [var.function]
}

run "reject_timeout_beyond_api_gateway_limit" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", timeout = 30 }
  }
  expect_failures = [var.function]
}

run "reject_zero_reserved_concurrency" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", reserved_concurrency = 0 }
  }
  expect_failures = [var.function]
}

run "reject_unknown_log_level" {
  command = plan
  variables {
    logging = { level = "VERBOSE" }
  }
  expect_failures = [var.logging]
}

run "reject_log_retention_not_offered_by_cloudwatch" {
  command = plan
  variables {
    logging = { retention_in_days = 10 }
  }
  expect_failures = [var.logging]
}

run "reject_log_kms_key_that_is_not_an_arn" {
  command = plan
  variables {
    logging = { kms_key_arn = "alias/logs" }
  }
  expect_failures = [var.logging]
}

run "reject_bad_metrics_namespace" {
  command = plan
  variables {
    logging = { metrics_namespace = "has spaces" }
  }
  expect_failures = [var.logging]
}

run "reject_no_pools" {
  command = plan
  variables {
    pools = []
  }
  expect_failures = [var.pools]
}

run "reject_pool_name_with_capitals" {
  command = plan
  variables {
    pools = [{ name = "CI", labels = ["linux"] }]
  }
  expect_failures = [var.pools]
}

run "reject_duplicate_pool_names" {
  command = plan
  variables {
    pools = [{ name = "ci", labels = ["linux"] }, { name = "ci", labels = ["docker"] }]
  }
  expect_failures = [var.pools]
}

run "reject_invalid_label" {
  command = plan
  variables {
    pools = [{ name = "ci", labels = ["has space"] }]
  }
  expect_failures = [var.pools]
}

run "reject_pool_architecture_amd64" {
  command = plan
  variables {
    pools = [{ name = "ci", labels = ["linux"], architecture = "amd64" }]
  }
  expect_failures = [var.pools]
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

run "reject_queue_kms_key_that_is_not_an_arn" {
  command = plan
  variables {
    queue_kms_key_arn = "alias/aws/sqs"
  }
  expect_failures = [var.queue_kms_key_arn]
}

run "reject_no_secret_parameters" {
  command = plan
  variables {
    webhook_secret_parameters = []
  }
  expect_failures = [var.webhook_secret_parameters]
}

run "reject_more_than_ten_secret_parameters" {
  command = plan
  variables {
    webhook_secret_parameters = [for i in range(11) : "/ci/secret-${i}"]
  }
  expect_failures = [var.webhook_secret_parameters]
}

run "reject_secret_parameter_given_as_arn" {
  command = plan
  variables {
    webhook_secret_parameters = ["arn:aws:ssm:us-east-1:123456789012:parameter/ci/secret"]
  }
  expect_failures = [var.webhook_secret_parameters]
}

run "reject_secret_parameter_in_reserved_namespace" {
  command = plan
  variables {
    webhook_secret_parameters = ["/aws/reference/secretsmanager/x"]
  }
  expect_failures = [var.webhook_secret_parameters]
}

run "reject_secret_kms_key_that_is_not_an_arn" {
  command = plan
  variables {
    secret_kms_key_arn = "alias/aws/ssm"
  }
  expect_failures = [var.secret_kms_key_arn]
}

run "reject_negative_secret_cache" {
  command = plan
  variables {
    secret_cache_seconds = -1
  }
  expect_failures = [var.secret_cache_seconds]
}

run "reject_owner_with_slash" {
  command = plan
  variables {
    allowed_owners = ["octo-org/app"]
  }
  expect_failures = [var.allowed_owners]
}

run "reject_repository_without_owner" {
  command = plan
  variables {
    allowed_repositories = ["app"]
  }
  expect_failures = [var.allowed_repositories]
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
