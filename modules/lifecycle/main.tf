locals {
  # arn:<partition>:sqs:<region>:<account>:<name> — where skiff runs, read from an input
  # rather than from data sources that would call AWS at plan.
  arn_parts  = split(":", var.lifecycle_queue_arn)
  partition  = local.arn_parts[1]
  region     = local.arn_parts[3]
  account_id = local.arn_parts[4]
  dns_suffix = startswith(local.partition, "aws-cn") ? "amazonaws.com.cn" : "amazonaws.com"

  app_key_arn = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${trimprefix(var.github_app.key_parameter, "/")}"

  service_name = "${var.prefix}-lifecycle"

  # Rule ARNs on the default event bus are arn:<partition>:events:<region>:<account>:rule/<name>.
  # Computed from the names so they are known at plan and the lifecycle queue's policy
  # (which lists them) does not wait on, or cycle with, the rules. A postcondition on each
  # rule checks the computed ARN against the real one.
  rule_names = merge(
    {
      spot_interruption = "${var.name}-spot-interruption"
      state_change      = "${var.name}-state-change"
    },
    var.fargate == null ? {} : { task_state_change = "${var.name}-task-state-change" },
  )
  rule_arns = { for k, n in local.rule_names : k => "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${n}" }

  # The lifecycle handler acts on these states only (lambdas/src/lifecycle/lifecycle.ts DOWN).
  down_states = ["stopping", "stopped", "shutting-down", "terminated"]

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
  }

  event_source = merge(var.event_source, { queue_arn = var.lifecycle_queue_arn })
}

module "function" {
  source = "../function"

  name         = var.name
  description  = "skiff lifecycle: job and EC2 instance events into the state table"
  service_name = local.service_name
  function     = var.function
  logging      = var.logging
  environment  = local.environment
  policy_json  = data.aws_iam_policy_document.this.json
  event_source = local.event_source
  vpc          = var.vpc
  iam          = var.iam
  tags         = var.tags
}

# ---------------------------------------------------------------------------------------
# EventBridge: EC2 events on the default bus, to the lifecycle queue.
# EC2 events carry no tags, so a pattern cannot select skiff's instances: every instance
# of the account and region matches, and the handler ignores those it has no item for.
# ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "spot_interruption" {
  name           = local.rule_names.spot_interruption
  event_bus_name = "default"
  description    = "skiff ${var.prefix}: EC2 Spot Instance Interruption Warning to the lifecycle queue"
  event_pattern = jsonencode({
    source        = ["aws.ec2"]
    "detail-type" = ["EC2 Spot Instance Interruption Warning"]
  })
  tags = var.tags

  lifecycle {
    postcondition {
      condition     = self.arn == local.rule_arns.spot_interruption
      error_message = "The rule's ARN ${self.arn} is not the computed ${local.rule_arns.spot_interruption} that the lifecycle queue's policy allows: the rule must live in the lifecycle queue's account and region."
    }
  }
}

resource "aws_cloudwatch_event_rule" "state_change" {
  name           = local.rule_names.state_change
  event_bus_name = "default"
  description    = "skiff ${var.prefix}: EC2 instances going down (${join(", ", local.down_states)}) to the lifecycle queue"
  event_pattern = jsonencode({
    source        = ["aws.ec2"]
    "detail-type" = ["EC2 Instance State-change Notification"]
    detail        = { state = local.down_states }
  })
  tags = var.tags

  lifecycle {
    postcondition {
      condition     = self.arn == local.rule_arns.state_change
      error_message = "The rule's ARN ${self.arn} is not the computed ${local.rule_arns.state_change} that the lifecycle queue's policy allows: the rule must live in the lifecycle queue's account and region."
    }
  }
}

# The Fargate pools' tasks being stopped: desiredStatus turns STOPPED both when Fargate
# Spot reclaims a task (the two-minute notice) and when the task ends, and the events
# carry the cluster and startedBy, so the pattern selects skiff's own tasks only.
resource "aws_cloudwatch_event_rule" "task_state_change" {
  count = var.fargate == null ? 0 : 1

  name           = local.rule_names.task_state_change
  event_bus_name = "default"
  description    = "skiff ${var.prefix}: ECS tasks of skiff's cluster being stopped, to the lifecycle queue"
  event_pattern = jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Task State Change"]
    detail = {
      clusterArn    = [var.fargate.cluster_arn]
      desiredStatus = ["STOPPED"]
      startedBy     = [{ prefix = "skiff/${var.prefix}/" }]
    }
  })
  tags = var.tags

  lifecycle {
    postcondition {
      condition     = self.arn == local.rule_arns.task_state_change
      error_message = "The rule's ARN ${self.arn} is not the computed ${local.rule_arns.task_state_change} that the lifecycle queue's policy allows: the rule must live in the lifecycle queue's account and region."
    }
  }
}

# The whole event is delivered (no input transformer): the handler reads source,
# detail-type, time and detail. SQS targets take no role: the queue policy admits the rules.
# An event EventBridge cannot deliver (after its retries, up to a day) goes to the lifecycle
# DLQ instead of being dropped; the dashboard alarms on that DLQ and on the rules'
# FailedInvocations.
resource "aws_cloudwatch_event_target" "spot_interruption" {
  rule           = aws_cloudwatch_event_rule.spot_interruption.name
  event_bus_name = aws_cloudwatch_event_rule.spot_interruption.event_bus_name
  target_id      = "lifecycle-queue"
  arn            = var.lifecycle_queue_arn

  dead_letter_config {
    arn = var.lifecycle_dlq_arn
  }
}

resource "aws_cloudwatch_event_target" "state_change" {
  rule           = aws_cloudwatch_event_rule.state_change.name
  event_bus_name = aws_cloudwatch_event_rule.state_change.event_bus_name
  target_id      = "lifecycle-queue"
  arn            = var.lifecycle_queue_arn

  dead_letter_config {
    arn = var.lifecycle_dlq_arn
  }
}

resource "aws_cloudwatch_event_target" "task_state_change" {
  count = var.fargate == null ? 0 : 1

  rule           = aws_cloudwatch_event_rule.task_state_change[0].name
  event_bus_name = aws_cloudwatch_event_rule.task_state_change[0].event_bus_name
  target_id      = "lifecycle-queue"
  arn            = var.lifecycle_queue_arn

  dead_letter_config {
    arn = var.lifecycle_dlq_arn
  }
}

# ---------------------------------------------------------------------------------------
# IAM: one statement per purpose, each as narrow as the service allows. The function
# module puts WriteOwnLogs before these.
# ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "ConsumeLifecycleQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    resources = [var.lifecycle_queue_arn]
  }

  statement {
    sid       = "RequeueOrDeadLetterJobs"
    actions   = ["sqs:SendMessage"]
    resources = [var.jobs_queue.arn, var.jobs_queue.dlq_arn]
  }

  dynamic "statement" {
    for_each = var.queue_kms_key_arn == null ? [] : [var.queue_kms_key_arn]

    content {
      sid       = "UseQueueKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sqs.${local.region}.${local.dns_suffix}"]
      }
    }
  }

  # Exactly what the handler's StateStore calls make: Get (getJob, getInstance), Update
  # (update, updateInstance, releaseSlot, reserve), Put (markRunOnDemand), Delete (undo
  # that mark when the re-run call fails).
  statement {
    sid       = "TrackJobsAndInstances"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
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

moved {
  from = aws_lambda_event_source_mapping.lifecycle
  to   = module.function.aws_lambda_event_source_mapping.this[0]
}
