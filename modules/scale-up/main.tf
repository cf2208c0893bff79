locals {
  # arn:<partition>:sqs:<region>:<account>:<name> — where skiff runs, read from an input
  # rather than from data sources that would call AWS at plan.
  arn_parts  = split(":", var.jobs_queue.arn)
  partition  = local.arn_parts[1]
  region     = local.arn_parts[3]
  account_id = local.arn_parts[4]
  dns_suffix = startswith(local.partition, "aws-cn") ? "amazonaws.com.cn" : "amazonaws.com"
  ec2_arn    = "arn:${local.partition}:ec2:${local.region}:${local.account_id}"
  ssm_arn    = "arn:${local.partition}:ssm:${local.region}:${local.account_id}"

  jit_parameters_arn = "${local.ssm_arn}:parameter/${var.prefix}/jit/*"
  app_key_arn        = "${local.ssm_arn}:parameter/${trimprefix(var.github_app.key_parameter, "/")}"

  # The Lambda's pool configuration contract (lambdas/src/shared/pools.ts): camelCase keys.
  pools_json = jsonencode([for p in var.pools : {
    name                     = p.name
    labels                   = p.labels
    architecture             = p.architecture
    capacityType             = p.capacity_type
    onDemandFallback         = p.on_demand_fallback
    instanceTypes            = p.instance_types
    subnetIds                = p.subnet_ids
    launchTemplateId         = p.launch_template_id
    maxRunners               = p.max_runners
    spotAllocationStrategy   = p.spot_allocation_strategy
    runnerLevel              = p.runner_level
    runnerGroupId            = p.runner_group_id
    bootTimeoutSeconds       = p.boot_timeout_seconds
    maxLifetimeSeconds       = p.max_lifetime_seconds
    interruptedRetryOnDemand = p.interrupted_retry_on_demand
  }])

  environment = merge(
    {
      POWERTOOLS_SERVICE_NAME        = var.name
      POWERTOOLS_LOG_LEVEL           = var.logging.level
      POWERTOOLS_METRICS_NAMESPACE   = var.logging.metrics_namespace
      SKIFF_PREFIX                   = var.prefix
      SKIFF_POOLS                    = local.pools_json
      SKIFF_STATE_TABLE              = var.state_table.name
      SKIFF_JOBS_QUEUE_URL           = var.jobs_queue.url
      SKIFF_GITHUB_APP_ID            = var.github_app.id
      SKIFF_GITHUB_APP_KEY_PARAMETER = var.github_app.key_parameter
      SKIFF_GITHUB_API_URL           = trimsuffix(var.github_app.api_url, "/")
      SKIFF_FRESH_MESSAGE_SECONDS    = tostring(var.fresh_message_seconds)
    },
    var.jit_kms_key_arn == null ? {} : { SKIFF_JIT_KMS_KEY_ID = var.jit_kms_key_arn },
  )
}

# ---------------------------------------------------------------------------------------
# Lambda and its event source
# ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.logging.retention_in_days
  kms_key_id        = var.logging.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  function_name                  = var.name
  description                    = "skiff scale-up: one ephemeral runner per queued job"
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

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]

  lifecycle {
    precondition {
      condition     = fileexists(var.function.zip_path)
      error_message = "function.zip_path: no file at \"${var.function.zip_path}\". Build it (`make build` in a checkout of skiff writes dist/lambdas/scale-up.zip) or fetch a release's zips (scripts/fetch-lambdas.sh)."
    }
  }
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn                   = var.jobs_queue.arn
  function_name                      = aws_lambda_function.this.arn
  batch_size                         = var.event_source.batch_size
  maximum_batching_window_in_seconds = var.event_source.maximum_batching_window_in_seconds
  # Failed jobs return to the queue one by one, not the whole batch.
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.event_source.maximum_concurrency
  }
}

# ---------------------------------------------------------------------------------------
# IAM: one statement per purpose, each as narrow as the service allows.
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
  description        = "skiff scale-up Lambda"
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
    sid       = "ConsumeJobsQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    resources = [var.jobs_queue.arn]
  }

  statement {
    # A job waiting for a slot or capacity goes back as a new delayed message, so waiting
    # spends none of the queue's receives.
    sid       = "RequeueWaitingJobs"
    actions   = ["sqs:SendMessage"]
    resources = [var.jobs_queue.arn]
  }

  dynamic "statement" {
    for_each = var.queue_kms_key_arn == null ? [] : [var.queue_kms_key_arn]

    content {
      sid       = "DecryptJobsQueue"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sqs.${local.region}.${local.dns_suffix}"]
      }
    }
  }

  statement {
    sid       = "ClaimJobsAndReserveSlots"
    actions   = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem", "dynamodb:Query"]
    resources = [var.state_table.arn]
  }

  statement {
    sid       = "ReadGitHubAppKey"
    actions   = ["ssm:GetParameter", "ssm:GetParameters"]
    resources = [local.app_key_arn]
  }

  dynamic "statement" {
    for_each = var.github_app.key_kms_key_arn == null ? [] : [var.github_app.key_kms_key_arn]

    content {
      sid       = "DecryptGitHubAppKey"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${local.region}.${local.dns_suffix}"]
      }
    }
  }

  statement {
    sid       = "WriteJitConfigs"
    actions   = ["ssm:PutParameter", "ssm:AddTagsToResource"]
    resources = [local.jit_parameters_arn]
  }

  statement {
    sid       = "DeleteJitConfigs"
    actions   = ["ssm:DeleteParameter"]
    resources = [local.jit_parameters_arn]
  }

  dynamic "statement" {
    for_each = var.jit_kms_key_arn == null ? [] : [var.jit_kms_key_arn]

    content {
      sid       = "EncryptJitConfigs"
      actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${local.region}.${local.dns_suffix}"]
      }
    }
  }

  # CreateFleet and the RunInstances it authorises must name a launch template; only the
  # pools' templates are allowed.
  statement {
    sid       = "LaunchFromPoolTemplates"
    actions   = ["ec2:CreateFleet", "ec2:RunInstances"]
    resources = distinct([for p in var.pools : p.launch_template_arn])
  }

  statement {
    sid     = "LaunchIntoPoolNetworks"
    actions = ["ec2:CreateFleet", "ec2:RunInstances"]
    resources = distinct(concat(
      flatten([for p in var.pools : [for s in p.subnet_ids : "${local.ec2_arn}:subnet/${s}"]]),
      [for p in var.pools : "${local.ec2_arn}:security-group/${p.security_group_id}"],
    ))
  }

  statement {
    sid     = "CreateRunnerInstances"
    actions = ["ec2:CreateFleet", "ec2:RunInstances"]
    resources = [
      "${local.ec2_arn}:fleet/*",
      "${local.ec2_arn}:instance/*",
      "${local.ec2_arn}:volume/*",
      "${local.ec2_arn}:network-interface/*",
      "${local.ec2_arn}:spot-instances-request/*",
      "arn:${local.partition}:ec2:${local.region}::image/*",
    ]
  }

  statement {
    sid       = "TagOnlyAtLaunch"
    actions   = ["ec2:CreateTags"]
    resources = ["${local.ec2_arn}:fleet/*", "${local.ec2_arn}:instance/*", "${local.ec2_arn}:volume/*", "${local.ec2_arn}:network-interface/*"]

    condition {
      test     = "StringEquals"
      variable = "ec2:CreateAction"
      values   = ["CreateFleet", "RunInstances"]
    }
  }

  statement {
    sid       = "TerminateOwnInstances"
    actions   = ["ec2:TerminateInstances"]
    resources = ["${local.ec2_arn}:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/skiff:prefix"
      values   = [var.prefix]
    }
  }

  statement {
    sid       = "PassRunnerRoles"
    actions   = ["iam:PassRole"]
    resources = distinct([for p in var.pools : p.role_arn])

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "scale-up"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
