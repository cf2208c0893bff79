# What scale-down gives its function (modules/function): settings and the configuration
# contract (environment), and its invocation settings, planned under a mocked AWS
# provider. modules/function's tests show these reach the Lambda and its log group.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  prefix     = "ci"
  name       = "ci-scale-down"
  function   = { zip_path = "tests/fixtures/lambda.zip" }
  pools_json = file("../../test/fixtures/pools.json")
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

run "function_defaults" {
  command = plan

  assert {
    condition     = var.function.runtime == "nodejs22.x" && var.function.architecture == "arm64"
    error_message = "The function must run nodejs22.x on arm64 by default."
  }

  assert {
    condition     = var.function.timeout == 120 && var.function.memory_size == 512
    error_message = "The function must default to 120 s and 512 MB."
  }

  assert {
    condition     = var.function.reserved_concurrency == null
    error_message = "No concurrency may be reserved by default: on a new account (quota 10) any reservation fails the apply; a lock item in the state table keeps one reconcile at a time."
  }

  assert {
    condition     = output.function_name == "ci-scale-down" && output.log_group_name == "/aws/lambda/ci-scale-down" && output.role_name == "ci-scale-down"
    error_message = "The function, its role and its log group (/aws/lambda/<name>) must be named after name."
  }

  assert {
    condition     = output.service_name == "ci-scale-down"
    error_message = "The service name must be <prefix>-scale-down, the dashboard's service dimension."
  }
}

run "a_failed_or_throttled_cycle_is_not_retried" {
  command = plan

  assert {
    condition     = aws_lambda_function_event_invoke_config.this.maximum_retry_attempts == 0 && aws_lambda_function_event_invoke_config.this.maximum_event_age_in_seconds == 60
    error_message = "Asynchronous invocations must not be retried and must expire after 60 s, so cycles never pile up behind a slow one."
  }
}

run "environment_is_the_lambda_configuration_contract" {
  command = plan

  assert {
    condition = {
      for k, v in local.environment : k => v if k != "SKIFF_POOLS"
      } == {
      SKIFF_PREFIX                   = "ci"
      SKIFF_STATE_TABLE              = "ci-state"
      SKIFF_JOBS_QUEUE_URL           = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
      SKIFF_JOBS_DLQ_URL             = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs-dlq"
      SKIFF_MAX_REQUEUES             = "3"
      SKIFF_GITHUB_APP_ID            = "123456"
      SKIFF_GITHUB_APP_KEY_PARAMETER = "/ci/github-app/key"
      SKIFF_GITHUB_API_URL           = "https://api.github.com"
      SKIFF_LIST_RUNNERS_EVERY       = "10"
      SKIFF_REDELIVER_EVERY          = "5"
      SKIFF_REDELIVER_MAX            = "20"
      SKIFF_REDELIVER_WINDOW_SECONDS = "21600"
      SKIFF_DONE_GRACE_SECONDS       = "120"
      SKIFF_ORPHAN_GRACE_SECONDS     = "180"
    }
    error_message = "The environment must carry exactly the scale-down configuration (lambdas/src/scale-down/config.ts) with its defaults."
  }
}

run "reconcile_settings_reach_the_lambda" {
  command = plan

  variables {
    max_requeues = 5
    reconcile = {
      list_runners_every       = 1
      redeliver_every          = 1000
      redeliver_max            = 0
      redeliver_window_seconds = 60
      done_grace_seconds       = 0
      orphan_grace_seconds     = 3600
    }
  }

  assert {
    condition = {
      for k, v in local.environment : k => v
      if contains(["SKIFF_MAX_REQUEUES", "SKIFF_LIST_RUNNERS_EVERY", "SKIFF_REDELIVER_EVERY", "SKIFF_REDELIVER_MAX", "SKIFF_REDELIVER_WINDOW_SECONDS", "SKIFF_DONE_GRACE_SECONDS", "SKIFF_ORPHAN_GRACE_SECONDS"], k)
      } == {
      SKIFF_MAX_REQUEUES             = "5"
      SKIFF_LIST_RUNNERS_EVERY       = "1"
      SKIFF_REDELIVER_EVERY          = "1000"
      SKIFF_REDELIVER_MAX            = "0"
      SKIFF_REDELIVER_WINDOW_SECONDS = "60"
      SKIFF_DONE_GRACE_SECONDS       = "0"
      SKIFF_ORPHAN_GRACE_SECONDS     = "3600"
    }
    error_message = "Each reconcile setting, at the ends of its range, must reach its SKIFF_* variable."
  }
}

run "pools_reach_the_lambda_verbatim" {
  command = plan

  assert {
    condition     = local.environment.SKIFF_POOLS == file("../../test/fixtures/pools.json")
    error_message = "SKIFF_POOLS must be pools_json as given: modules/runners builds the one JSON every function reads (the reconcile reads bootTimeoutSeconds and maxLifetimeSeconds from it)."
  }
}
