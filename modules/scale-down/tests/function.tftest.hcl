# The scale-down Lambda, its configuration contract (environment) and its invocation
# settings, planned under a mocked AWS provider.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  prefix   = "ci"
  name     = "ci-scale-down"
  function = { zip_path = "tests/fixtures/lambda.zip" }
  pools = [
    {
      name               = "linux"
      labels             = ["docker"]
      instance_types     = ["m7i.large", "m6i.large"]
      subnet_ids         = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
      launch_template_id = "lt-0aaaaaaaaaaaaaaa1"
      max_runners        = 20
    },
    {
      name                 = "deploy"
      labels               = ["deploy"]
      architecture         = "arm64"
      capacity_type        = "on-demand"
      instance_types       = ["m7g.large"]
      subnet_ids           = ["subnet-0aaaaaaaaaaaaaaa1"]
      launch_template_id   = "lt-0bbbbbbbbbbbbbbb2"
      max_runners          = 2
      runner_level         = "org"
      runner_group_id      = 7
      boot_timeout_seconds = 600
      max_lifetime_seconds = 3600
    },
  ]
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
    condition     = aws_lambda_function.this.runtime == "nodejs22.x" && one(aws_lambda_function.this.architectures) == "arm64" && aws_lambda_function.this.handler == "index.handler"
    error_message = "The function must run index.handler on nodejs22.x, arm64, by default."
  }

  assert {
    condition     = aws_lambda_function.this.timeout == 120 && aws_lambda_function.this.memory_size == 512
    error_message = "The function must default to 120 s and 512 MB."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 1
    error_message = "Reserved concurrency must default to 1: one reconcile at a time."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/ci-scale-down" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "The log group must be /aws/lambda/<name> with 30 days' retention by default."
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
      for k, v in aws_lambda_function.this.environment[0].variables : k => v if k != "SKIFF_POOLS"
      } == {
      POWERTOOLS_SERVICE_NAME        = "ci-scale-down"
      POWERTOOLS_LOG_LEVEL           = "INFO"
      POWERTOOLS_METRICS_NAMESPACE   = "skiff"
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
      for k, v in aws_lambda_function.this.environment[0].variables : k => v
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

run "pools_reach_the_lambda_as_scale_up_receives_them" {
  command = plan

  assert {
    condition = [for p in jsondecode(aws_lambda_function.this.environment[0].variables.SKIFF_POOLS) : [p.name, p.bootTimeoutSeconds, p.maxLifetimeSeconds, p.runnerLevel, p.runnerGroupId, p.launchTemplateId]] == [
      ["linux", 300, 21600, "repo", 1, "lt-0aaaaaaaaaaaaaaa1"],
      ["deploy", 600, 3600, "org", 7, "lt-0bbbbbbbbbbbbbbb2"],
    ]
    error_message = "SKIFF_POOLS must carry each pool's boot timeout and max lifetime (defaults 300 s and 6 h) with the Lambda's camelCase keys."
  }

  assert {
    condition     = alltrue([for p in jsondecode(aws_lambda_function.this.environment[0].variables.SKIFF_POOLS) : length(keys(p)) == 15])
    error_message = "SKIFF_POOLS must carry all 15 keys lambdas/src/shared/pools.ts parses, as scale-up's does."
  }
}

run "function_settings" {
  command = plan

  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", reserved_concurrency = 2, timeout = 300, memory_size = 1024, architecture = "x86_64" }
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 2 && aws_lambda_function.this.timeout == 300 && aws_lambda_function.this.memory_size == 1024 && one(aws_lambda_function.this.architectures) == "x86_64"
    error_message = "function settings must reach the Lambda."
  }
}
