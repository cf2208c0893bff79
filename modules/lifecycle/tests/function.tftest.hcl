# The lifecycle Lambda, its configuration contract (environment), its log group and its
# SQS event source on the lifecycle queue, planned under a mocked AWS provider.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

override_resource {
  target          = aws_lambda_function.this
  override_during = plan
  values          = { arn = "arn:aws:lambda:us-east-1:123456789012:function:ci-lifecycle" }
}

variables {
  prefix   = "ci"
  name     = "ci-lifecycle"
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
      name                        = "deploy"
      labels                      = ["deploy"]
      architecture                = "arm64"
      capacity_type               = "on-demand"
      instance_types              = ["m7g.large"]
      subnet_ids                  = ["subnet-0aaaaaaaaaaaaaaa1"]
      launch_template_id          = "lt-0bbbbbbbbbbbbbbb2"
      max_runners                 = 2
      runner_level                = "org"
      runner_group_id             = 7
      interrupted_retry_on_demand = false
    },
  ]
  lifecycle_queue_arn = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle"
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
    condition     = aws_lambda_function.this.timeout == 30 && aws_lambda_function.this.memory_size == 256 && aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "The function must default to 30 s, 256 MB and no reserved concurrency."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/ci-lifecycle" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "The log group must be /aws/lambda/<name> with 30 days' retention by default."
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
      for k, v in aws_lambda_function.this.environment[0].variables : k => v if k != "SKIFF_POOLS"
      } == {
      POWERTOOLS_SERVICE_NAME        = "ci-lifecycle"
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
    }
    error_message = "The environment must carry exactly the lifecycle configuration (lambdas/src/lifecycle/config.ts)."
  }
}

run "pools_reach_the_lambda_as_scale_up_receives_them" {
  command = plan

  assert {
    condition = jsondecode(aws_lambda_function.this.environment[0].variables.SKIFF_POOLS) == [
      {
        name                     = "linux"
        labels                   = ["docker"]
        architecture             = "x64"
        capacityType             = "spot"
        onDemandFallback         = true
        instanceTypes            = ["m7i.large", "m6i.large"]
        subnetIds                = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
        launchTemplateId         = "lt-0aaaaaaaaaaaaaaa1"
        maxRunners               = 20
        spotAllocationStrategy   = "price-capacity-optimized"
        runnerLevel              = "repo"
        runnerGroupId            = 1
        bootTimeoutSeconds       = 300
        maxLifetimeSeconds       = 21600
        interruptedRetryOnDemand = true
      },
      {
        name                     = "deploy"
        labels                   = ["deploy"]
        architecture             = "arm64"
        capacityType             = "on-demand"
        onDemandFallback         = true
        instanceTypes            = ["m7g.large"]
        subnetIds                = ["subnet-0aaaaaaaaaaaaaaa1"]
        launchTemplateId         = "lt-0bbbbbbbbbbbbbbb2"
        maxRunners               = 2
        spotAllocationStrategy   = "price-capacity-optimized"
        runnerLevel              = "org"
        runnerGroupId            = 7
        bootTimeoutSeconds       = 300
        maxLifetimeSeconds       = 21600
        interruptedRetryOnDemand = false
      },
    ]
    error_message = "SKIFF_POOLS must be the pools as a JSON list with exactly the Lambda's camelCase keys and the documented defaults (the JSON scale-up receives)."
  }
}

run "pools_given_to_scale_up_are_accepted_as_they_are" {
  command = plan

  variables {
    pools = [{
      name                = "linux"
      labels              = ["docker"]
      instance_types      = ["m7i.large"]
      subnet_ids          = ["subnet-0aaaaaaaaaaaaaaa1"]
      launch_template_id  = "lt-0aaaaaaaaaaaaaaa1"
      launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1"
      role_arn            = "arn:aws:iam::123456789012:role/ci-linux-runner"
      security_group_id   = "sg-0aaaaaaaaaaaaaaa1"
      max_runners         = 20
    }]
  }

  assert {
    condition     = !strcontains(aws_lambda_function.this.environment[0].variables.SKIFF_POOLS, "launch-template/") && !strcontains(aws_lambda_function.this.environment[0].variables.SKIFF_POOLS, "role_arn")
    error_message = "The scale-up-only attributes (launch_template_arn, role_arn, security_group_id) must be dropped, so one pools list can feed both modules."
  }
}

run "requeue_bound_key_and_github_enterprise" {
  command = plan

  variables {
    max_requeues = 0
    logging      = { level = "DEBUG", metrics_namespace = "ci/skiff" }
    github_app = {
      id            = "42"
      key_parameter = "/ci/github-app/key"
      api_url       = "https://github.example.com/api/v3/"
    }
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.SKIFF_MAX_REQUEUES == "0"
    error_message = "SKIFF_MAX_REQUEUES must carry max_requeues."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.SKIFF_GITHUB_API_URL == "https://github.example.com/api/v3"
    error_message = "SKIFF_GITHUB_API_URL must carry the GHES API URL, without a trailing slash."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.POWERTOOLS_LOG_LEVEL == "DEBUG" && aws_lambda_function.this.environment[0].variables.POWERTOOLS_METRICS_NAMESPACE == "ci/skiff"
    error_message = "logging.level and logging.metrics_namespace must reach Powertools."
  }
}

run "event_source_mapping_reports_item_failures" {
  command = plan

  assert {
    condition     = aws_lambda_event_source_mapping.lifecycle.event_source_arn == "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle" && aws_lambda_event_source_mapping.lifecycle.function_name == "arn:aws:lambda:us-east-1:123456789012:function:ci-lifecycle"
    error_message = "The event source must connect the lifecycle queue to the lifecycle function."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.lifecycle.batch_size == 10 && aws_lambda_event_source_mapping.lifecycle.maximum_batching_window_in_seconds == 0
    error_message = "Batches of up to 10 messages, with no batching window (no added delay), by default."
  }

  assert {
    condition     = toset(aws_lambda_event_source_mapping.lifecycle.function_response_types) == toset(["ReportBatchItemFailures"])
    error_message = "The mapping must report batch item failures, so one failed event does not return the whole batch."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.lifecycle.scaling_config[0].maximum_concurrency == 5
    error_message = "The mapping's maximum concurrency must default to 5."
  }
}

run "event_source_settings" {
  command = plan

  variables {
    event_source = { batch_size = 1, maximum_batching_window_in_seconds = 5, maximum_concurrency = 2 }
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.lifecycle.batch_size == 1
      && aws_lambda_event_source_mapping.lifecycle.maximum_batching_window_in_seconds == 5
      && aws_lambda_event_source_mapping.lifecycle.scaling_config[0].maximum_concurrency == 2
    )
    error_message = "event_source settings must reach the mapping."
  }
}
