# One skiff function: its log group, the Lambda, its role with the base policy every skiff
# function needs (write its own logs) merged with the caller's statements, and optionally
# the SQS event source that feeds it.

locals {
  environment = merge(
    {
      POWERTOOLS_SERVICE_NAME      = coalesce(var.service_name, var.name)
      POWERTOOLS_LOG_LEVEL         = var.logging.level
      POWERTOOLS_METRICS_NAMESPACE = var.logging.metrics_namespace
    },
    var.environment,
  )
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.logging.retention_in_days
  kms_key_id        = var.logging.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  function_name                  = var.name
  description                    = var.description
  role                           = aws_iam_role.this.arn
  handler                        = "index.handler"
  runtime                        = var.function.runtime
  architectures                  = [var.function.architecture]
  memory_size                    = var.function.memory_size
  timeout                        = var.function.timeout
  reserved_concurrent_executions = coalesce(var.function.reserved_concurrency, -1)
  filename                       = var.function.zip_path
  source_code_hash               = fileexists(var.function.zip_path) ? filebase64sha256(var.function.zip_path) : null
  tags                           = var.tags

  environment {
    variables = local.environment
  }

  # The log group must exist first, or Lambda creates one without retention; the policy
  # first, or the first invocations cannot write logs.
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]

  lifecycle {
    precondition {
      condition     = fileexists(var.function.zip_path)
      error_message = "function.zip_path: no file at \"${var.function.zip_path}\". Build it (`make build` in a checkout of skiff writes dist/lambdas/) or fetch a release's zips (scripts/fetch-lambdas.sh)."
    }
  }
}

resource "aws_lambda_event_source_mapping" "this" {
  count = var.event_source == null ? 0 : 1

  event_source_arn                   = var.event_source.queue_arn
  function_name                      = aws_lambda_function.this.arn
  batch_size                         = var.event_source.batch_size
  maximum_batching_window_in_seconds = var.event_source.maximum_batching_window_in_seconds
  # A failed message returns to the queue alone; the rest of the batch is done.
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.event_source.maximum_concurrency
  }
}

# ---------------------------------------------------------------------------------------
# IAM: the base policy (its own logs) and the caller's statements, in one inline policy.
# ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "LambdaAssumesRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = "skiff ${coalesce(var.service_name, var.name)} Lambda"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  path                 = var.iam.path
  permissions_boundary = var.iam.permissions_boundary_arn
  tags                 = var.tags
}

data "aws_iam_policy_document" "base" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:log-stream:*"]
  }
}

# The base statements first, then the caller's; a caller statement reusing a base sid is
# an error, not an override.
data "aws_iam_policy_document" "this" {
  source_policy_documents = [data.aws_iam_policy_document.base.json, var.policy_json]
}

resource "aws_iam_role_policy" "this" {
  name   = var.name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
