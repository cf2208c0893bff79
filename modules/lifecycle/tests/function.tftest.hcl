# What lifecycle gives its function (modules/function): settings, the configuration
# contract (environment) and the SQS event source on the lifecycle queue, planned under a
# mocked AWS provider. modules/function's tests show these reach the Lambda, its log
# group and the mapping.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

override_resource {
  target          = module.function.aws_lambda_event_source_mapping.this
  override_during = plan
  values          = { uuid = "11111111-2222-3333-4444-555555555555" }
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

run "function_defaults" {
  command = plan

  assert {
    condition     = var.function.runtime == "nodejs22.x" && var.function.architecture == "arm64"
    error_message = "The function must run nodejs22.x on arm64 by default."
  }

  assert {
    condition     = var.function.timeout == 30 && var.function.memory_size == 256 && var.function.reserved_concurrency == null
    error_message = "The function must default to 30 s, 256 MB and no reserved concurrency."
  }

  assert {
    condition     = output.function_name == "ci-lifecycle" && output.log_group_name == "/aws/lambda/ci-lifecycle" && output.role_name == "ci-lifecycle"
    error_message = "The function, its role and its log group (/aws/lambda/<name>) must be named after name."
  }

  assert {
    condition     = output.service_name == "ci-lifecycle"
    error_message = "The service name must be <prefix>-lifecycle, the dashboard's service dimension."
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
    }
    error_message = "The environment must carry exactly the lifecycle configuration (lambdas/src/lifecycle/config.ts)."
  }
}

run "pools_reach_the_lambda_verbatim" {
  command = plan

  assert {
    condition     = local.environment.SKIFF_POOLS == file("../../test/fixtures/pools.json")
    error_message = "SKIFF_POOLS must be pools_json as given: modules/runners builds the one JSON every function reads."
  }
}

run "requeue_bound_key_and_github_enterprise" {
  command = plan

  variables {
    max_requeues = 0
    github_app = {
      id            = "42"
      key_parameter = "/ci/github-app/key"
      api_url       = "https://github.example.com/api/v3/"
    }
  }

  assert {
    condition     = local.environment.SKIFF_MAX_REQUEUES == "0"
    error_message = "SKIFF_MAX_REQUEUES must carry max_requeues."
  }

  assert {
    condition     = local.environment.SKIFF_GITHUB_API_URL == "https://github.example.com/api/v3"
    error_message = "SKIFF_GITHUB_API_URL must carry the GHES API URL, without a trailing slash."
  }
}

run "event_source_is_the_lifecycle_queue" {
  command = plan

  assert {
    condition     = local.event_source == { queue_arn = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle", batch_size = 10, maximum_batching_window_in_seconds = 0, maximum_concurrency = 5 }
    error_message = "The function must consume the lifecycle queue in batches of up to 10, with no batching window (no added delay) and a maximum concurrency of 5 by default."
  }

  assert {
    condition     = output.event_source_mapping_uuid == "11111111-2222-3333-4444-555555555555"
    error_message = "The function must have its event source mapping (modules/function makes it report batch item failures)."
  }
}

run "event_source_settings" {
  command = plan

  variables {
    event_source = { batch_size = 1, maximum_batching_window_in_seconds = 5, maximum_concurrency = 2 }
  }

  assert {
    condition     = local.event_source == { queue_arn = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle", batch_size = 1, maximum_batching_window_in_seconds = 5, maximum_concurrency = 2 }
    error_message = "event_source settings must reach the mapping."
  }
}
