# The webhook Lambda, its configuration contract (environment) and its log group,
# planned under a mocked AWS provider.

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
  pools = [
    { name = "ci", labels = ["linux", "docker"] },
    { name = "arm", labels = ["graviton"], architecture = "arm64" },
  ]
  jobs_queue = {
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs"
  }
  lifecycle_queue = {
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-lifecycle"
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle"
  }
  webhook_secret_parameters = ["/ci/github-app/webhook-secret", "/ci/github-app/webhook-secret-previous"]
}

run "function_defaults" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.runtime == "nodejs22.x" && one(aws_lambda_function.this.architectures) == "arm64"
    error_message = "The function must run nodejs22.x on arm64 by default."
  }

  assert {
    condition     = aws_lambda_function.this.handler == "index.handler"
    error_message = "The handler must be index.handler (the CommonJS bundle's export)."
  }

  assert {
    condition     = aws_lambda_function.this.timeout == 10 && aws_lambda_function.this.memory_size == 256
    error_message = "The function must default to a 10 s timeout (GitHub's limit) and 256 MB."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "No concurrency is reserved by default."
  }

  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/lambda.zip")
    error_message = "source_code_hash must be the zip's base64 SHA-256 so a rebuilt zip is redeployed."
  }
}

run "environment_is_the_lambda_configuration_contract" {
  command = plan

  assert {
    condition = jsondecode(aws_lambda_function.this.environment[0].variables.SKIFF_POOLS) == [
      { name = "ci", labels = ["linux", "docker"], architecture = "x64" },
      { name = "arm", labels = ["graviton"], architecture = "arm64" },
    ]
    error_message = "SKIFF_POOLS must be the pools as a JSON list of {name, labels, architecture}, in declaration order, architecture defaulting to x64."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.SKIFF_JOBS_QUEUE_URL == "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
    error_message = "SKIFF_JOBS_QUEUE_URL must be the jobs queue's URL."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.SKIFF_LIFECYCLE_QUEUE_URL == "https://sqs.us-east-1.amazonaws.com/123456789012/ci-lifecycle"
    error_message = "SKIFF_LIFECYCLE_QUEUE_URL must be the lifecycle queue's URL."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.SKIFF_WEBHOOK_SECRET_PARAMETERS == "/ci/github-app/webhook-secret,/ci/github-app/webhook-secret-previous"
    error_message = "SKIFF_WEBHOOK_SECRET_PARAMETERS must list the parameter names comma-separated, current first."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.SKIFF_SECRET_CACHE_SECONDS == "300"
    error_message = "SKIFF_SECRET_CACHE_SECONDS must default to 300."
  }

  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables.POWERTOOLS_SERVICE_NAME == "ci-webhook"
      && aws_lambda_function.this.environment[0].variables.POWERTOOLS_LOG_LEVEL == "INFO"
      && aws_lambda_function.this.environment[0].variables.POWERTOOLS_METRICS_NAMESPACE == "skiff"
    )
    error_message = "Powertools must get the service name, log level INFO and metrics namespace skiff by default."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "SKIFF_ALLOWED_OWNERS") && !contains(keys(aws_lambda_function.this.environment[0].variables), "SKIFF_ALLOWED_REPOSITORIES")
    error_message = "Without allow-lists the allow-list variables must be absent (every owner and repository accepted)."
  }
}

run "allow_lists_are_comma_separated" {
  command = plan

  variables {
    allowed_owners       = ["octo-org", "octocat"]
    allowed_repositories = ["octo-org/app", "octocat/hello-world"]
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.SKIFF_ALLOWED_OWNERS == "octo-org,octocat"
    error_message = "SKIFF_ALLOWED_OWNERS must be the owners, comma-separated."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.SKIFF_ALLOWED_REPOSITORIES == "octo-org/app,octocat/hello-world"
    error_message = "SKIFF_ALLOWED_REPOSITORIES must be the owner/name entries, comma-separated."
  }
}

run "log_group_with_retention" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/ci-webhook"
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

run "logging_settings" {
  command = plan

  variables {
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
    condition     = aws_lambda_function.this.environment[0].variables.POWERTOOLS_LOG_LEVEL == "DEBUG" && aws_lambda_function.this.environment[0].variables.POWERTOOLS_METRICS_NAMESPACE == "ci/skiff"
    error_message = "logging.level and logging.metrics_namespace must reach Powertools."
  }
}
