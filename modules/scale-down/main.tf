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

  service_name = "${var.prefix}-scale-down"

  # The clusters of the Fargate pools (ARNs, as modules/runners writes them) and their
  # tasks, arn:…:task/<cluster-name>/<task-id>. A pool without a target is an EC2 pool.
  ecs_cluster_arns = distinct([for p in jsondecode(var.pools_json) : p.cluster if try(p.target, "ec2") == "fargate"])
  ecs_task_arns    = [for c in local.ecs_cluster_arns : "${replace(c, ":cluster/", ":task/")}/*"]

  environment = {
    SKIFF_PREFIX                   = var.prefix
    SKIFF_POOLS                    = var.pools_json
    SKIFF_STATE_TABLE              = var.state_table.name
    SKIFF_JOBS_QUEUE_URL           = var.jobs_queue.url
    SKIFF_JOBS_DLQ_URL             = var.jobs_queue.dlq_url
    SKIFF_MAX_REQUEUES             = tostring(var.max_requeues)
    SKIFF_GITHUB_APP_ID            = var.github_app.id
    SKIFF_GITHUB_APP_KEY_PARAMETER = var.github_app.key_parameter
    SKIFF_GITHUB_API_URL           = trimsuffix(var.github_app.api_url, "/")
    SKIFF_LIST_RUNNERS_EVERY       = tostring(var.reconcile.list_runners_every)
    SKIFF_REDELIVER_EVERY          = tostring(var.reconcile.redeliver_every)
    SKIFF_REDELIVER_MAX            = tostring(var.reconcile.redeliver_max)
    SKIFF_REDELIVER_WINDOW_SECONDS = tostring(var.reconcile.redeliver_window_seconds)
    SKIFF_DONE_GRACE_SECONDS       = tostring(var.reconcile.done_grace_seconds)
    SKIFF_ORPHAN_GRACE_SECONDS     = tostring(var.reconcile.orphan_grace_seconds)
  }
}

module "function" {
  source = "../function"

  name         = var.name
  description  = "skiff scale-down: reconcile state, EC2 and GitHub; redeliver failed webhooks"
  service_name = local.service_name
  function     = var.function
  logging      = var.logging
  environment  = local.environment
  policy_json  = data.aws_iam_policy_document.this.json
  vpc          = var.vpc
  iam          = var.iam
  tags         = var.tags
}

# A cycle that failed or was throttled (the previous one still running) is not retried:
# the next scheduled cycle does the same work on fresher state.
resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = module.function.function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 60
}

# ---------------------------------------------------------------------------------------
# Schedule
# ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = "${var.name}-schedule"
  description         = "skiff ${var.prefix}: run the scale-down reconcile ${var.schedule_expression}"
  event_bus_name      = "default"
  schedule_expression = var.schedule_expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  rule           = aws_cloudwatch_event_rule.schedule.name
  event_bus_name = aws_cloudwatch_event_rule.schedule.event_bus_name
  target_id      = "scale-down"
  arn            = module.function.function_arn

  retry_policy {
    maximum_retry_attempts       = 0
    maximum_event_age_in_seconds = 60
  }
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "AllowScheduleInvoke"
  action        = "lambda:InvokeFunction"
  function_name = module.function.function_name
  principal     = "events.amazonaws.com"
  # Only this rule may invoke the function.
  source_arn = aws_cloudwatch_event_rule.schedule.arn
}

# ---------------------------------------------------------------------------------------
# IAM: one statement per purpose, each as narrow as the service allows. The function
# module puts WriteOwnLogs before these.
# ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "this" {
  # Exactly what the reconcile's StateStore calls make: Scan (scanAll), Update (nextCycle,
  # setActive, update, releaseSlot), Put (markRedelivered), Delete (deleteItem).
  statement {
    sid       = "ReconcileStateTable"
    actions   = ["dynamodb:Scan", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    resources = [var.state_table.arn]
  }

  statement {
    sid       = "RequeueOrDeadLetterJobs"
    actions   = ["sqs:SendMessage"]
    resources = [var.jobs_queue.arn, var.jobs_queue.dlq_arn]
  }

  dynamic "statement" {
    for_each = var.queue_kms_key_arn == null ? [] : [var.queue_kms_key_arn]

    content {
      sid       = "EncryptJobMessages"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sqs.${local.region}.${local.dns_suffix}"]
      }
    }
  }

  # ec2:DescribeInstances has no resource-level permissions: AWS accepts only "*". The
  # region condition keeps it to the deployment's region; the function filters by tag.
  statement {
    sid       = "DescribeInstances"
    actions   = ["ec2:DescribeInstances"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [local.region]
    }
  }

  # The version each warm pool's launch template launches now, so that warm runners on an
  # older one are replaced. Like every EC2 Describe* action it has no resource-level
  # permissions: "*", in the deployment's region.
  statement {
    sid       = "DescribeLaunchTemplates"
    actions   = ["ec2:DescribeLaunchTemplates"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [local.region]
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

  # The reconcile finds a Fargate pool's tasks by cluster and startedBy. ListTasks names
  # no task, so its resource is "*"; the condition holds it to skiff's cluster.
  dynamic "statement" {
    for_each = length(local.ecs_cluster_arns) > 0 ? [1] : []

    content {
      sid       = "ListOwnTasks"
      actions   = ["ecs:ListTasks"]
      resources = ["*"]

      condition {
        test     = "ArnEquals"
        variable = "ecs:cluster"
        values   = local.ecs_cluster_arns
      }
    }
  }

  # Reads the tasks' tags (skiff:job-id, skiff:pool) and stops the ones the reconcile
  # finds leaked, timed out or past their lifetime.
  dynamic "statement" {
    for_each = length(local.ecs_cluster_arns) > 0 ? [1] : []

    content {
      sid       = "DescribeAndStopOwnTasks"
      actions   = ["ecs:DescribeTasks", "ecs:StopTask"]
      resources = local.ecs_task_arns

      condition {
        test     = "ArnEquals"
        variable = "ecs:cluster"
        values   = local.ecs_cluster_arns
      }
    }
  }

  statement {
    sid       = "DeleteJitConfigs"
    actions   = ["ssm:DeleteParameter"]
    resources = [local.jit_parameters_arn]
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
