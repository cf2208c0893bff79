locals {
  ns = "skiff"

  # The `service` dimension the Lambdas' Powertools metrics carry.
  service = {
    webhook    = "${var.prefix}-webhook"
    scale_up   = "${var.prefix}-scale-up"
    scale_down = "${var.prefix}-scale-down"
    lifecycle  = "${var.prefix}-lifecycle"
  }

  period = var.thresholds.period_seconds

  # What the runner bootstrap publishes (packer/runner/files/skiff-bootstrap.sh) with
  # put-metric-data: its own namespace, so the runner role's permission cannot reach `skiff`.
  runner_ns      = "skiff/runner"
  runner_service = "${var.prefix}-runner"

  # Alarms on one metric with fixed dimensions. treat_missing_data = notBreaching because
  # EMF counters are only published when something happens: no data means none happened.
  metric_alarms = merge(
    {
      jobs_dlq_not_empty = {
        description = "Jobs gave up on are in the jobs DLQ (${var.queues.jobs_dlq_name}): a job matched a pool but got no runner. Inspect the messages, fix the cause, then redrive or delete them."
        namespace   = "AWS/SQS"
        metric      = "ApproximateNumberOfMessagesVisible"
        dimensions  = { QueueName = var.queues.jobs_dlq_name }
        statistic   = "Maximum"
        threshold   = 0
      }
      lifecycle_dlq_not_empty = {
        description = "Lifecycle events (spot interruptions, instance state changes, job progress) failed repeatedly and sit in ${var.queues.lifecycle_dlq_name}. Instances may go untracked until the next reconcile."
        namespace   = "AWS/SQS"
        metric      = "ApproximateNumberOfMessagesVisible"
        dimensions  = { QueueName = var.queues.lifecycle_dlq_name }
        statistic   = "Maximum"
        threshold   = 0
      }
      launch_errors_permanent = {
        description = "Scale-up hit launch errors that retrying cannot fix (bad AMI, launch template, IAM, subnet or quota). No instance is launched until the configuration is fixed."
        namespace   = local.ns
        metric      = "LaunchErrors"
        dimensions  = { service = local.service.scale_up, Kind = "permanent" }
        statistic   = "Sum"
        threshold   = 0
      }
      launch_errors_capacity = {
        description = "More than ${var.thresholds.capacity_launch_errors} insufficient-capacity launch errors in ${local.period} s. Add instance types or subnets (zones) to the pools, or allow on-demand fallback."
        namespace   = local.ns
        metric      = "LaunchErrors"
        dimensions  = { service = local.service.scale_up, Kind = "capacity" }
        statistic   = "Sum"
        threshold   = var.thresholds.capacity_launch_errors
      }
      webhook_errors = {
        description = "The webhook function failed to handle deliveries (e.g. could not enqueue). GitHub marks them failed; the reconcile redelivers them, but jobs are delayed."
        namespace   = local.ns
        metric      = "WebhookErrors"
        dimensions  = { service = local.service.webhook }
        statistic   = "Sum"
        threshold   = 0
      }
      runner_release_age = {
        description = "A runner booted from an image whose runner release is over ${var.thresholds.runner_release_age_days} days old. Once a newer release is out, GitHub stops sending jobs to runners that have not taken it within 30 days: bump versions.json (make bump-runner) and rebuild the AMI (modules/image-pipeline). Fires too when no newer release exists yet, which is harmless."
        namespace   = local.runner_ns
        metric      = "RunnerReleaseAgeDays"
        dimensions  = { service = local.runner_service }
        statistic   = "Maximum"
        threshold   = var.thresholds.runner_release_age_days
      }
      queued_to_running_p90 = {
        description = "p90 time from a job being queued to it running is over ${var.thresholds.queued_to_running_p90_ms} ms. Look at launch errors, cap reached and boot times."
        namespace   = local.ns
        metric      = "QueuedToRunningMs"
        dimensions  = { service = local.service.lifecycle }
        statistic   = "p90"
        threshold   = var.thresholds.queued_to_running_p90_ms
      }
    },
    {
      for key, rule in var.eventbridge_rules : "eventbridge_failed_${key}" => {
        description = "The EventBridge rule ${rule} matched events it could not deliver to its target (AWS/Events FailedInvocations): check the target queue's policy and, with a customer managed key, its key policy (the kms_key_policy_json output). Undelivered events go to the target's dead-letter queue."
        namespace   = "AWS/Events"
        metric      = "FailedInvocations"
        dimensions  = { RuleName = rule }
        statistic   = "Sum"
        threshold   = 0
      }
    },
    {
      for fn, name in var.function_names : "lambda_errors_${fn}" => {
        description = "The ${name} function returned errors (AWS/Lambda Errors: crashes, timeouts, unhandled exceptions). See its log group."
        namespace   = "AWS/Lambda"
        metric      = "Errors"
        dimensions  = { FunctionName = name }
        statistic   = "Sum"
        threshold   = 0
      }
    },
  )

  # Alarms on a sum over an open set of dimension values (pools, reasons): CloudWatch
  # Metrics Insights queries, which pick up new pools without changing the alarm.
  insights_alarms = {
    spot_fallbacks = {
      description = "More than ${var.thresholds.spot_fallbacks} launches fell back from spot to on-demand in ${local.period} s: spot capacity is short for the pools' instance types and zones, and jobs cost more."
      query       = "SELECT SUM(SpotFallbacks) FROM SCHEMA(${local.ns}, Pool, service) WHERE service = '${local.service.scale_up}'"
      threshold   = var.thresholds.spot_fallbacks
    }
    webhook_rejections = {
      description = "More than ${var.thresholds.webhook_rejections} webhook deliveries were rejected in ${local.period} s (bad signature, malformed, oversize). A wrong or rotated webhook secret, or someone probing the URL."
      query       = "SELECT SUM(WebhookRejected) FROM SCHEMA(${local.ns}, Reason, service) WHERE service = '${local.service.webhook}'"
      threshold   = var.thresholds.webhook_rejections
    }
    jobs_failed_lifecycle = {
      description = "Lifecycle handling gave up on a job (its runner never took it after the allowed requeues); the job went to the jobs DLQ."
      query       = "SELECT SUM(JobsFailed) FROM SCHEMA(${local.ns}, Pool, service) WHERE service = '${local.service.lifecycle}'"
      threshold   = 0
    }
    jobs_failed_scale_down = {
      description = "The reconcile gave up on a job (its runner never took it after the allowed requeues); the job went to the jobs DLQ."
      query       = "SELECT SUM(JobsFailed) FROM SCHEMA(${local.ns}, Pool, service) WHERE service = '${local.service.scale_down}'"
      threshold   = 0
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "metric" {
  for_each = local.metric_alarms

  alarm_name          = "${var.prefix}-${replace(each.key, "_", "-")}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = startswith(each.value.statistic, "p") ? null : each.value.statistic
  extended_statistic  = startswith(each.value.statistic, "p") ? each.value.statistic : null
  period              = local.period
  evaluation_periods  = var.thresholds.evaluation_periods
  datapoints_to_alarm = var.thresholds.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "insights" {
  for_each = local.insights_alarms

  alarm_name          = "${var.prefix}-${replace(each.key, "_", "-")}"
  alarm_description   = each.value.description
  evaluation_periods  = var.thresholds.evaluation_periods
  datapoints_to_alarm = var.thresholds.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags

  metric_query {
    id          = "q1"
    expression  = each.value.query
    period      = local.period
    label       = replace(each.key, "_", " ")
    return_data = true
  }
}

# The share of boots whose runner updated itself, over an hour: GitHub pushes an update to a
# runner behind the current release, so a rising share means the AMI is behind. Hours
# with fewer than self_update_min_boots boots count as 0 %.
resource "aws_cloudwatch_metric_alarm" "self_updates" {
  alarm_name          = "${var.prefix}-runners-self-updating"
  alarm_description   = "More than ${var.thresholds.self_update_percent} % of runner boots in an hour updated the runner before their job (tens of seconds each): the AMI's runner is behind GitHub's current release. Bump versions.json (make bump-runner) and rebuild the AMI (modules/image-pipeline)."
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.self_update_percent
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags

  metric_query {
    id = "updated"
    metric {
      namespace   = local.runner_ns
      metric_name = "SelfUpdated"
      dimensions  = { service = local.runner_service }
      stat        = "Sum"
      period      = 3600
    }
  }

  metric_query {
    id = "boots"
    metric {
      namespace   = local.runner_ns
      metric_name = "Boots"
      dimensions  = { service = local.runner_service }
      stat        = "Sum"
      period      = 3600
    }
  }

  metric_query {
    id          = "share"
    expression  = "IF(boots >= ${var.thresholds.self_update_min_boots}, 100 * updated / boots, 0)"
    label       = "self-updated boots (%)"
    return_data = true
  }
}
