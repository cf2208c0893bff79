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

  # arn:<partition>:ec2:<region>:<account>, read from the log group's ARN rather than from
  # data sources that would call AWS at plan (try: mocked providers give ARNs of any shape).
  log_group_arn_parts = split(":", aws_cloudwatch_log_group.this.arn)
  ec2_arn             = try("arn:${local.log_group_arn_parts[1]}:ec2:${local.log_group_arn_parts[3]}:${local.log_group_arn_parts[4]}", null)
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

  dynamic "vpc_config" {
    for_each = var.vpc == null ? [] : [var.vpc]

    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
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

  # In a VPC, Lambda creates and removes the function's network interfaces with this role:
  # the actions of AWSLambdaVPCAccessExecutionRole, which grants them on *. Describe calls
  # take no resource; the others are held to the given subnets and security groups.
  dynamic "statement" {
    for_each = var.vpc == null ? [] : [1]

    content {
      sid       = "DescribeNetworkInterfacesInVpc"
      actions   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.vpc == null ? [] : [1]

    content {
      sid     = "CreateNetworkInterfacesInOwnSubnets"
      actions = ["ec2:CreateNetworkInterface"]
      resources = concat(
        ["${local.ec2_arn}:network-interface/*"],
        [for id in var.vpc.subnet_ids : "${local.ec2_arn}:subnet/${id}"],
        [for id in var.vpc.security_group_ids : "${local.ec2_arn}:security-group/${id}"],
      )
    }
  }

  dynamic "statement" {
    for_each = var.vpc == null ? [] : [1]

    content {
      sid       = "ManageNetworkInterfacesInOwnSubnets"
      actions   = ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
      resources = ["${local.ec2_arn}:network-interface/*"]

      condition {
        test     = "ArnEquals"
        variable = "ec2:Subnet"
        values   = [for id in var.vpc.subnet_ids : "${local.ec2_arn}:subnet/${id}"]
      }
    }
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
