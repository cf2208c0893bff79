# The scale-up Lambda, its configuration contract (environment), its log group and its
# SQS event source, planned under a mocked AWS provider.

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
  values          = { arn = "arn:aws:lambda:us-east-1:123456789012:function:ci-scale-up" }
}

variables {
  prefix   = "ci"
  name     = "ci-scale-up"
  function = { zip_path = "tests/fixtures/lambda.zip" }
  pools = [
    {
      name                = "linux"
      labels              = ["docker"]
      instance_types      = ["m7i.large", "m6i.large"]
      subnet_ids          = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
      launch_template_id  = "lt-0aaaaaaaaaaaaaaa1"
      launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1"
      role_arn            = "arn:aws:iam::123456789012:role/ci-linux-runner"
      security_group_id   = "sg-0aaaaaaaaaaaaaaa1"
      max_runners         = 20
    },
    {
      name                = "deploy"
      labels              = ["deploy"]
      architecture        = "arm64"
      capacity_type       = "on-demand"
      instance_types      = ["m7g.large"]
      subnet_ids          = ["subnet-0aaaaaaaaaaaaaaa1"]
      launch_template_id  = "lt-0bbbbbbbbbbbbbbb2"
      launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0bbbbbbbbbbbbbbb2"
      role_arn            = "arn:aws:iam::123456789012:role/ci-deploy-runner"
      security_group_id   = "sg-0bbbbbbbbbbbbbbb2"
      max_runners         = 2
      runner_level        = "org"
      runner_group_id     = 7
    },
  ]
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

run "function_defaults" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.runtime == "nodejs22.x" && one(aws_lambda_function.this.architectures) == "arm64" && aws_lambda_function.this.handler == "index.handler"
    error_message = "The function must run index.handler on nodejs22.x, arm64, by default."
  }

  assert {
    condition     = aws_lambda_function.this.timeout == 60 && aws_lambda_function.this.memory_size == 512 && aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "The function must default to 60 s, 512 MB and no reserved concurrency."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/ci-scale-up" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "The log group must be /aws/lambda/<name> with 30 days' retention by default."
  }
}

run "pools_reach_the_lambda_with_camel_case_keys" {
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
        interruptedRetryOnDemand = true
      },
    ]
    error_message = "SKIFF_POOLS must be the pools as a JSON list with exactly the Lambda's camelCase keys and the documented defaults."
  }
}

run "environment_is_the_lambda_configuration_contract" {
  command = plan

  assert {
    condition = {
      for k, v in aws_lambda_function.this.environment[0].variables : k => v if k != "SKIFF_POOLS"
      } == {
      POWERTOOLS_SERVICE_NAME        = "ci-scale-up"
      POWERTOOLS_LOG_LEVEL           = "INFO"
      POWERTOOLS_METRICS_NAMESPACE   = "skiff"
      SKIFF_PREFIX                   = "ci"
      SKIFF_STATE_TABLE              = "ci-state"
      SKIFF_JOBS_QUEUE_URL           = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
      SKIFF_GITHUB_APP_ID            = "123456"
      SKIFF_GITHUB_APP_KEY_PARAMETER = "/ci/github-app/key"
      SKIFF_GITHUB_API_URL           = "https://api.github.com"
      SKIFF_FRESH_MESSAGE_SECONDS    = "60"
    }
    error_message = "The environment must carry exactly the scale-up configuration (no JIT key variable without jit_kms_key_arn)."
  }
}

run "jit_key_and_github_enterprise" {
  command = plan

  variables {
    jit_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222"
    github_app = {
      id            = "42"
      key_parameter = "/ci/github-app/key"
      api_url       = "https://github.example.com/api/v3/"
    }
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.SKIFF_JIT_KMS_KEY_ID == "arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222"
    error_message = "SKIFF_JIT_KMS_KEY_ID must carry the JIT key when one is given."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.SKIFF_GITHUB_API_URL == "https://github.example.com/api/v3"
    error_message = "SKIFF_GITHUB_API_URL must carry the GHES API URL, without a trailing slash."
  }
}

run "event_source_mapping_reports_item_failures" {
  command = plan

  assert {
    condition     = aws_lambda_event_source_mapping.jobs.event_source_arn == "arn:aws:sqs:us-east-1:123456789012:ci-jobs" && aws_lambda_event_source_mapping.jobs.function_name == "arn:aws:lambda:us-east-1:123456789012:function:ci-scale-up"
    error_message = "The event source must connect the jobs queue to the scale-up function."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.jobs.batch_size == 10 && aws_lambda_event_source_mapping.jobs.maximum_batching_window_in_seconds == 0
    error_message = "Batches of up to 10 jobs, with no batching window (no added delay), by default."
  }

  assert {
    condition     = toset(aws_lambda_event_source_mapping.jobs.function_response_types) == toset(["ReportBatchItemFailures"])
    error_message = "The mapping must report batch item failures, so one failed job does not return the whole batch."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.jobs.scaling_config[0].maximum_concurrency == 10
    error_message = "The mapping's maximum concurrency must default to 10."
  }
}

run "event_source_settings" {
  command = plan

  variables {
    event_source = { batch_size = 5, maximum_batching_window_in_seconds = 2, maximum_concurrency = 2 }
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.jobs.batch_size == 5
      && aws_lambda_event_source_mapping.jobs.maximum_batching_window_in_seconds == 2
      && aws_lambda_event_source_mapping.jobs.scaling_config[0].maximum_concurrency == 2
    )
    error_message = "event_source settings must reach the mapping."
  }
}
