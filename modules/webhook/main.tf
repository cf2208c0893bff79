locals {
  # arn:<partition>:sqs:<region>:<account>:<name> — the account and region skiff runs in,
  # read from an input rather than from data sources that would call AWS at plan.
  arn_parts  = split(":", var.jobs_queue.arn)
  partition  = local.arn_parts[1]
  region     = local.arn_parts[3]
  account_id = local.arn_parts[4]
  dns_suffix = startswith(local.partition, "aws-cn") ? "amazonaws.com.cn" : "amazonaws.com"

  secret_parameter_arns = [
    for name in var.webhook_secret_parameters :
    "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${trimprefix(name, "/")}"
  ]

  environment = merge(
    {
      POWERTOOLS_SERVICE_NAME         = var.name
      POWERTOOLS_LOG_LEVEL            = var.logging.level
      POWERTOOLS_METRICS_NAMESPACE    = var.logging.metrics_namespace
      SKIFF_POOLS                     = jsonencode([for p in var.pools : { name = p.name, labels = p.labels, architecture = p.architecture }])
      SKIFF_JOBS_QUEUE_URL            = var.jobs_queue.url
      SKIFF_LIFECYCLE_QUEUE_URL       = var.lifecycle_queue.url
      SKIFF_WEBHOOK_SECRET_PARAMETERS = join(",", var.webhook_secret_parameters)
      SKIFF_SECRET_CACHE_SECONDS      = tostring(var.secret_cache_seconds)
    },
    length(var.allowed_owners) > 0 ? { SKIFF_ALLOWED_OWNERS = join(",", var.allowed_owners) } : {},
    length(var.allowed_repositories) > 0 ? { SKIFF_ALLOWED_REPOSITORIES = join(",", var.allowed_repositories) } : {},
  )
}

# ---------------------------------------------------------------------------------------
# Lambda
# ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.logging.retention_in_days
  kms_key_id        = var.logging.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  function_name                  = var.name
  description                    = "skiff webhook: verifies GitHub workflow_job deliveries and routes them to the runner pools"
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

  # The log group must exist first, or Lambda creates one without retention.
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]

  lifecycle {
    precondition {
      condition     = fileexists(var.function.zip_path)
      error_message = "function.zip_path: no file at \"${var.function.zip_path}\". Build it (`make build` in a checkout of skiff writes dist/lambdas/webhook.zip) or fetch a release's zips (scripts/fetch-lambdas.sh)."
    }
  }
}

# ---------------------------------------------------------------------------------------
# IAM: send to the two queues, read the webhook secret, write its own logs. Nothing else.
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
  name               = var.name
  description        = "skiff webhook Lambda"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:log-stream:*"]
  }

  statement {
    sid       = "SendToJobsAndLifecycleQueues"
    actions   = ["sqs:SendMessage"]
    resources = [var.jobs_queue.arn, var.lifecycle_queue.arn]
  }

  dynamic "statement" {
    for_each = var.queue_kms_key_arn == null ? [] : [var.queue_kms_key_arn]

    content {
      sid       = "EncryptQueueMessages"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sqs.${local.region}.${local.dns_suffix}"]
      }
    }
  }

  statement {
    sid       = "ReadWebhookSecrets"
    actions   = ["ssm:GetParameters"]
    resources = local.secret_parameter_arns
  }

  dynamic "statement" {
    for_each = var.secret_kms_key_arn == null ? [] : [var.secret_kms_key_arn]

    content {
      sid       = "DecryptWebhookSecrets"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${local.region}.${local.dns_suffix}"]
      }
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "webhook"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

# ---------------------------------------------------------------------------------------
# HTTP API: POST /webhook → the Lambda (payload format 2.0), throttled $default stage
# ---------------------------------------------------------------------------------------

resource "aws_apigatewayv2_api" "this" {
  name          = var.name
  description   = "skiff: GitHub App webhook endpoint"
  protocol_type = "HTTP"
  tags          = var.tags
}

resource "aws_apigatewayv2_integration" "this" {
  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = aws_lambda_function.this.invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 30000
}

resource "aws_apigatewayv2_route" "this" {
  api_id    = aws_apigatewayv2_api.this.id
  route_key = "POST /webhook"
  target    = "integrations/${aws_apigatewayv2_integration.this.id}"
}

resource "aws_cloudwatch_log_group" "access" {
  count = var.api.access_logging ? 1 : 0

  name              = "/aws/apigateway/${var.name}"
  retention_in_days = var.logging.retention_in_days
  kms_key_id        = var.logging.kms_key_arn
  tags              = var.tags
}

resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true
  tags        = var.tags

  default_route_settings {
    throttling_burst_limit = var.api.throttling_burst_limit
    throttling_rate_limit  = var.api.throttling_rate_limit
  }

  dynamic "access_log_settings" {
    for_each = var.api.access_logging ? [1] : []

    content {
      destination_arn = aws_cloudwatch_log_group.access[0].arn
      # Request metadata only: never headers or bodies (the signature and payload).
      format = jsonencode({
        requestId          = "$context.requestId"
        requestTime        = "$context.requestTime"
        sourceIp           = "$context.identity.sourceIp"
        userAgent          = "$context.identity.userAgent"
        routeKey           = "$context.routeKey"
        status             = "$context.status"
        responseLength     = "$context.responseLength"
        latencyMs          = "$context.responseLatency"
        integrationStatus  = "$context.integrationStatus"
        integrationLatency = "$context.integrationLatency"
        integrationError   = "$context.integrationErrorMessage"
      })
    }
  }
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowHttpApiPostWebhook"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "apigateway.amazonaws.com"
  # Any stage of this API, only the POST /webhook route.
  source_arn = "${aws_apigatewayv2_api.this.execution_arn}/*/POST/webhook"
}
