# The Lambda limits no other module checks: each invalid value fails at plan with an error
# naming the variable. modules/runners validates the inputs users give (runtime,
# architecture, log level, retention, KMS keys); the function modules pass the rest here.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name        = "ci-scale-up"
  function    = { zip_path = "tests/fixtures/lambda.zip" }
  policy_json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
}

run "reject_missing_zip" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/missing.zip" }
  }
  expect_failures = [aws_lambda_function.this]
}

run "reject_memory_below_lambda_minimum" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", memory_size = 64 }
  }
  expect_failures = [var.function]
}

run "reject_timeout_over_900" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", timeout = 901 }
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

run "reject_fractional_reserved_concurrency" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", reserved_concurrency = 1.5 }
  }
  expect_failures = [var.function]
}

run "reject_metrics_namespace_with_spaces" {
  command = plan
  variables {
    logging = { metrics_namespace = "has spaces" }
  }
  expect_failures = [var.logging]
}

run "reject_batch_size_over_10" {
  command = plan
  variables {
    event_source = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs", batch_size = 11 }
  }
  expect_failures = [var.event_source]
}

run "reject_batching_window_over_300" {
  command = plan
  variables {
    event_source = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs", maximum_batching_window_in_seconds = 301 }
  }
  expect_failures = [var.event_source]
}

run "reject_maximum_concurrency_below_2" {
  command = plan
  variables {
    event_source = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs", maximum_concurrency = 1 }
  }
  expect_failures = [var.event_source]
}
