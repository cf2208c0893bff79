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
      # The one pools JSON every function gets; the webhook routes by name, labels and
      # architecture and ignores the other keys.
      SKIFF_POOLS                     = var.pools_json
      SKIFF_JOBS_QUEUE_URL            = var.jobs_queue.url
      SKIFF_LIFECYCLE_QUEUE_URL       = var.lifecycle_queue.url
      SKIFF_WEBHOOK_SECRET_PARAMETERS = join(",", var.webhook_secret_parameters)
      SKIFF_SECRET_CACHE_SECONDS      = tostring(var.secret_cache_seconds)
    },
    length(var.allowed_owners) > 0 ? { SKIFF_ALLOWED_OWNERS = join(",", var.allowed_owners) } : {},
    length(var.allowed_repositories) > 0 ? { SKIFF_ALLOWED_REPOSITORIES = join(",", var.allowed_repositories) } : {},
  )
}

module "function" {
  source = "../function"

  name        = var.name
  description = "skiff webhook: verifies GitHub workflow_job deliveries and routes them to the runner pools"
  function    = var.function
  logging     = var.logging
  environment = local.environment
  policy_json = data.aws_iam_policy_document.this.json
  vpc         = var.vpc
  iam         = var.iam
  tags        = var.tags
}

# ---------------------------------------------------------------------------------------
# IAM: send to the two queues, read the webhook secret (and, from modules/function, write
# its own logs). Nothing else.
# ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "this" {
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
  integration_uri        = module.function.invoke_arn
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
  function_name = module.function.function_name
  principal     = "apigateway.amazonaws.com"
  # Any stage of this API, only the POST /webhook route.
  source_arn = "${aws_apigatewayv2_api.this.execution_arn}/*/POST/webhook"
}

# ---------------------------------------------------------------------------------------
# Where these resources lived before modules/function: an existing deployment moves them
# instead of replacing them (same names, so a replacement would collide).
# ---------------------------------------------------------------------------------------

moved {
  from = aws_cloudwatch_log_group.this
  to   = module.function.aws_cloudwatch_log_group.this
}

moved {
  from = aws_lambda_function.this
  to   = module.function.aws_lambda_function.this
}

moved {
  from = aws_iam_role.this
  to   = module.function.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.this
  to   = module.function.aws_iam_role_policy.this
}
