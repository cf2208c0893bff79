# The Lambda, its log group, its environment and its optional SQS event source, planned
# under a mocked AWS provider.

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
  name        = "ci-scale-up"
  description = "skiff scale-up: one ephemeral runner per queued job"
  function    = { zip_path = "tests/fixtures/lambda.zip" }
  environment = { SKIFF_PREFIX = "ci" }
  policy_json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
}

run "function_defaults" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.function_name == "ci-scale-up" && aws_lambda_function.this.description == "skiff scale-up: one ephemeral runner per queued job"
    error_message = "The function must be named name and carry the description."
  }

  assert {
    condition     = aws_lambda_function.this.runtime == "nodejs22.x" && one(aws_lambda_function.this.architectures) == "arm64"
    error_message = "The function must run nodejs22.x on arm64 by default."
  }

  assert {
    condition     = aws_lambda_function.this.handler == "index.handler"
    error_message = "The handler must be index.handler (the CommonJS bundle's export)."
  }

  assert {
    condition     = aws_lambda_function.this.timeout == 30 && aws_lambda_function.this.memory_size == 256
    error_message = "The function must default to 30 s and 256 MB."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "No concurrency is reserved by default."
  }

  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/lambda.zip")
    error_message = "source_code_hash must be the zip's base64 SHA-256 so a rebuilt zip is redeployed."
  }

  assert {
    condition     = aws_iam_role.this.name == "ci-scale-up" && aws_iam_role_policy.this.name == "ci-scale-up"
    error_message = "The role and its inline policy must be named after the function."
  }

  assert {
    condition     = length(aws_lambda_event_source_mapping.this) == 0 && output.event_source_mapping_uuid == null
    error_message = "Without event_source there is no event source mapping."
  }
}

run "function_settings" {
  command = plan

  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", runtime = "nodejs22.x", architecture = "x86_64", memory_size = 1024, timeout = 900, reserved_concurrency = 1 }
  }

  assert {
    condition = (
      aws_lambda_function.this.runtime == "nodejs22.x" && one(aws_lambda_function.this.architectures) == "x86_64"
      && aws_lambda_function.this.memory_size == 1024 && aws_lambda_function.this.timeout == 900
      && aws_lambda_function.this.reserved_concurrent_executions == 1
    )
    error_message = "function settings must reach the Lambda."
  }
}

run "environment_is_powertools_plus_the_functions_own" {
  command = plan

  assert {
    condition = aws_lambda_function.this.environment[0].variables == tomap({
      POWERTOOLS_SERVICE_NAME      = "ci-scale-up"
      POWERTOOLS_LOG_LEVEL         = "INFO"
      POWERTOOLS_METRICS_NAMESPACE = "skiff"
      SKIFF_PREFIX                 = "ci"
    })
    error_message = "The environment must be the Powertools settings (service name defaulting to name, INFO, skiff) plus the function's own variables, nothing else."
  }

  assert {
    condition     = output.service_name == "ci-scale-up"
    error_message = "service_name must default to the function's name."
  }
}

run "service_name_and_logging_settings" {
  command = plan

  variables {
    service_name = "ci-reconcile"
    logging = {
      level             = "DEBUG"
      retention_in_days = 365
      kms_key_arn       = "arn:aws:kms:us-east-1:123456789012:key/33333333-3333-3333-3333-333333333333"
      metrics_namespace = "ci/skiff"
    }
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 365 && aws_cloudwatch_log_group.this.kms_key_id == "arn:aws:kms:us-east-1:123456789012:key/33333333-3333-3333-3333-333333333333"
    error_message = "logging.retention_in_days and logging.kms_key_arn must apply to the log group."
  }

  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables.POWERTOOLS_SERVICE_NAME == "ci-reconcile"
      && aws_lambda_function.this.environment[0].variables.POWERTOOLS_LOG_LEVEL == "DEBUG"
      && aws_lambda_function.this.environment[0].variables.POWERTOOLS_METRICS_NAMESPACE == "ci/skiff"
    )
    error_message = "service_name, logging.level and logging.metrics_namespace must reach Powertools."
  }
}

run "log_group_with_retention" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/ci-scale-up" && output.log_group_name == "/aws/lambda/ci-scale-up"
    error_message = "The function's log group must be /aws/lambda/<name>, created by Terraform."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "Logs must be kept 30 days by default, not forever."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.kms_key_id == null
    error_message = "No KMS key on the log group unless logging.kms_key_arn is set."
  }
}

run "event_source_mapping_reports_item_failures" {
  command = plan

  variables {
    event_source = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs" }
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this[0].event_source_arn == "arn:aws:sqs:us-east-1:123456789012:ci-jobs" && aws_lambda_event_source_mapping.this[0].function_name == "arn:aws:lambda:us-east-1:123456789012:function:ci-scale-up"
    error_message = "The event source must connect the queue to this function."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this[0].batch_size == 10 && aws_lambda_event_source_mapping.this[0].maximum_batching_window_in_seconds == 0
    error_message = "Batches of up to 10 messages, with no batching window (no added delay), by default."
  }

  assert {
    condition     = toset(aws_lambda_event_source_mapping.this[0].function_response_types) == toset(["ReportBatchItemFailures"])
    error_message = "The mapping must report batch item failures, so one failed message does not return the whole batch."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this[0].scaling_config[0].maximum_concurrency == 10
    error_message = "The mapping's maximum concurrency must default to 10."
  }
}

run "event_source_settings" {
  command = plan

  variables {
    event_source = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs", batch_size = 5, maximum_batching_window_in_seconds = 2, maximum_concurrency = 2 }
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.this[0].batch_size == 5
      && aws_lambda_event_source_mapping.this[0].maximum_batching_window_in_seconds == 2
      && aws_lambda_event_source_mapping.this[0].scaling_config[0].maximum_concurrency == 2
    )
    error_message = "event_source settings must reach the mapping."
  }
}
