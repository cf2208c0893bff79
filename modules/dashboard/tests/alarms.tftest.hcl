# The alarms: what each watches and where it sends, planned under a mocked provider.

mock_provider "aws" {}

variables {
  prefix = "ci"
  region = "eu-west-1"
  function_names = {
    webhook    = "ci-webhook-fn"
    scale_up   = "ci-scale-up-fn"
    scale_down = "ci-scale-down-fn"
    lifecycle  = "ci-lifecycle-fn"
  }
  queues = {
    jobs_queue_name      = "ci-jobs"
    jobs_dlq_name        = "ci-jobs-dlq"
    lifecycle_queue_name = "ci-lifecycle"
    lifecycle_dlq_name   = "ci-lifecycle-dlq"
  }
}

run "one_lambda_errors_alarm_per_function" {
  command = plan

  assert {
    condition = toset([
      for k, a in aws_cloudwatch_metric_alarm.metric : a.dimensions.FunctionName if startswith(k, "lambda_errors_")
    ]) == toset(["ci-webhook-fn", "ci-scale-up-fn", "ci-scale-down-fn", "ci-lifecycle-fn"])
    error_message = "There must be exactly one Lambda Errors alarm per function, keyed lambda_errors_<function>."
  }

  assert {
    condition = alltrue([
      for k, a in aws_cloudwatch_metric_alarm.metric : a.namespace == "AWS/Lambda" && a.metric_name == "Errors" && a.threshold == 0 && a.comparison_operator == "GreaterThanThreshold"
      if startswith(k, "lambda_errors_")
    ])
    error_message = "Lambda alarms must fire on any AWS/Lambda Errors (> 0)."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["lambda_errors_scale_up"].alarm_name == "ci-lambda-errors-scale-up"
    error_message = "Alarm names must be <prefix>-<key with hyphens>."
  }
}

run "dlq_alarms_watch_the_dlqs" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["jobs_dlq_not_empty"].dimensions == tomap({ QueueName = "ci-jobs-dlq" })
    error_message = "The jobs DLQ alarm must watch queues.jobs_dlq_name."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["lifecycle_dlq_not_empty"].dimensions == tomap({ QueueName = "ci-lifecycle-dlq" })
    error_message = "The lifecycle DLQ alarm must watch queues.lifecycle_dlq_name."
  }

  assert {
    condition = alltrue([
      for k in ["jobs_dlq_not_empty", "lifecycle_dlq_not_empty"] :
      aws_cloudwatch_metric_alarm.metric[k].namespace == "AWS/SQS" &&
      aws_cloudwatch_metric_alarm.metric[k].metric_name == "ApproximateNumberOfMessagesVisible" &&
      aws_cloudwatch_metric_alarm.metric[k].threshold == 0 &&
      aws_cloudwatch_metric_alarm.metric[k].comparison_operator == "GreaterThanThreshold"
    ])
    error_message = "DLQ alarms must fire as soon as one message is visible (ApproximateNumberOfMessagesVisible > 0)."
  }
}

run "skiff_metric_alarms_use_the_service_dimension" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["launch_errors_permanent"].dimensions == tomap({ service = "ci-scale-up", Kind = "permanent" }) && aws_cloudwatch_metric_alarm.metric["launch_errors_permanent"].threshold == 0
    error_message = "Permanent launch errors must alarm on any occurrence, on {service=<prefix>-scale-up, Kind=permanent}."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["launch_errors_capacity"].dimensions.Kind == "capacity" && aws_cloudwatch_metric_alarm.metric["launch_errors_capacity"].threshold == 10
    error_message = "Capacity launch errors must alarm over thresholds.capacity_launch_errors (default 10)."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["webhook_errors"].dimensions == tomap({ service = "ci-webhook" }) && aws_cloudwatch_metric_alarm.metric["webhook_errors"].namespace == "skiff"
    error_message = "The webhook errors alarm must watch skiff WebhookErrors for <prefix>-webhook."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["queued_to_running_p90"].extended_statistic == "p90" && aws_cloudwatch_metric_alarm.metric["queued_to_running_p90"].statistic == null && aws_cloudwatch_metric_alarm.metric["queued_to_running_p90"].threshold == 120000
    error_message = "The queued-to-running alarm must use the p90 extended statistic against thresholds.queued_to_running_p90_ms."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["queued_to_running_p90"].dimensions == tomap({ service = "ci-lifecycle" }) && aws_cloudwatch_metric_alarm.metric["queued_to_running_p90"].metric_name == "QueuedToRunningMs"
    error_message = "The queued-to-running alarm must watch QueuedToRunningMs of <prefix>-lifecycle."
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.metric : a.treat_missing_data == "notBreaching" && a.period == 300])
    error_message = "Alarms must treat missing data as not breaching (counters publish only when something happens) and use a 300 s period by default."
  }
}

run "pool_and_reason_alarms_aggregate_with_metrics_insights" {
  command = plan

  assert {
    condition     = one(aws_cloudwatch_metric_alarm.insights["spot_fallbacks"].metric_query).expression == "SELECT SUM(SpotFallbacks) FROM SCHEMA(skiff, Pool, service) WHERE service = 'ci-scale-up'"
    error_message = "The spot fallback alarm must sum SpotFallbacks over every pool of <prefix>-scale-up."
  }

  assert {
    condition     = one(aws_cloudwatch_metric_alarm.insights["webhook_rejections"].metric_query).expression == "SELECT SUM(WebhookRejected) FROM SCHEMA(skiff, Reason, service) WHERE service = 'ci-webhook'" && aws_cloudwatch_metric_alarm.insights["webhook_rejections"].threshold == 5
    error_message = "The webhook rejection alarm must sum WebhookRejected over every reason, against thresholds.webhook_rejections."
  }

  assert {
    condition = (
      strcontains(one(aws_cloudwatch_metric_alarm.insights["jobs_failed_lifecycle"].metric_query).expression, "SUM(JobsFailed)") &&
      strcontains(one(aws_cloudwatch_metric_alarm.insights["jobs_failed_scale_down"].metric_query).expression, "service = 'ci-scale-down'") &&
      aws_cloudwatch_metric_alarm.insights["jobs_failed_lifecycle"].threshold == 0
    )
    error_message = "Failed jobs must alarm on any JobsFailed from lifecycle and from the reconcile."
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.insights : one(a.metric_query).period == 300 && one(a.metric_query).return_data])
    error_message = "Metrics Insights alarms must set the query's period and return its data."
  }
}

run "no_actions_by_default" {
  command = plan

  assert {
    condition     = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.metric), values(aws_cloudwatch_metric_alarm.insights)) : length(a.alarm_actions) == 0])
    error_message = "Without alarm_actions, alarms must have no actions."
  }
}

run "alarm_actions_are_passed_through" {
  command = plan

  variables {
    alarm_actions = ["arn:aws:sns:eu-west-1:123456789012:ci-oncall"]
    tags          = { team = "platform" }
  }

  assert {
    condition = alltrue([
      for a in concat(values(aws_cloudwatch_metric_alarm.metric), values(aws_cloudwatch_metric_alarm.insights)) :
      a.alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:ci-oncall"]) && a.ok_actions == toset(["arn:aws:sns:eu-west-1:123456789012:ci-oncall"])
    ])
    error_message = "Every alarm must notify alarm_actions on alarm and on recovery."
  }

  assert {
    condition     = alltrue([for a in values(aws_cloudwatch_metric_alarm.metric) : a.tags["team"] == "platform"])
    error_message = "Alarms must carry the caller's tags."
  }
}

run "thresholds_are_configurable" {
  command = plan

  variables {
    thresholds = { period_seconds = 60, evaluation_periods = 3, spot_fallbacks = 2, queued_to_running_p90_ms = 60000 }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.insights["spot_fallbacks"].threshold == 2 && aws_cloudwatch_metric_alarm.metric["queued_to_running_p90"].threshold == 60000
    error_message = "thresholds must reach the alarms."
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.metric : a.period == 60 && a.evaluation_periods == 3 && a.datapoints_to_alarm == 3])
    error_message = "thresholds.period_seconds and evaluation_periods must reach every alarm."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.metric["launch_errors_capacity"].threshold == 10
    error_message = "Unset thresholds must keep their defaults."
  }
}

run "runner_freshness_alarms" {
  command = plan

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.metric["runner_release_age"].namespace == "skiff/runner" &&
      aws_cloudwatch_metric_alarm.metric["runner_release_age"].metric_name == "RunnerReleaseAgeDays" &&
      aws_cloudwatch_metric_alarm.metric["runner_release_age"].dimensions == tomap({ service = "ci-runner" }) &&
      aws_cloudwatch_metric_alarm.metric["runner_release_age"].statistic == "Maximum" &&
      aws_cloudwatch_metric_alarm.metric["runner_release_age"].threshold == 25 &&
      aws_cloudwatch_metric_alarm.metric["runner_release_age"].comparison_operator == "GreaterThanThreshold"
    )
    error_message = "The release age alarm must fire when any booted image's runner release (skiff/runner RunnerReleaseAgeDays, Maximum) is over 25 days old."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.self_updates.alarm_name == "ci-runners-self-updating" && aws_cloudwatch_metric_alarm.self_updates.threshold == 5 && aws_cloudwatch_metric_alarm.self_updates.comparison_operator == "GreaterThanThreshold"
    error_message = "The self-update alarm must fire above 5 % by default."
  }

  assert {
    condition     = one([for q in aws_cloudwatch_metric_alarm.self_updates.metric_query : q.expression if q.return_data == true]) == "IF(boots >= 10, 100 * updated / boots, 0)"
    error_message = "The self-update alarm must compare 100 × SelfUpdated / Boots, and only in hours with at least 10 boots."
  }

  assert {
    condition = {
      for q in aws_cloudwatch_metric_alarm.self_updates.metric_query : q.id => [one(q.metric).namespace, one(q.metric).metric_name, one(q.metric).stat, one(q.metric).period, one(q.metric).dimensions]
      if length(q.metric) > 0
      } == {
      updated = ["skiff/runner", "SelfUpdated", "Sum", 3600, tomap({ service = "ci-runner" })]
      boots   = ["skiff/runner", "Boots", "Sum", 3600, tomap({ service = "ci-runner" })]
    }
    error_message = "The self-update share must be taken over an hour of skiff/runner SelfUpdated and Boots sums for <prefix>-runner."
  }
}

run "runner_freshness_thresholds_are_settable" {
  command = plan

  variables {
    thresholds = { self_update_percent = 2, self_update_min_boots = 30, runner_release_age_days = 20 }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.self_updates.threshold == 2 && aws_cloudwatch_metric_alarm.metric["runner_release_age"].threshold == 20
    error_message = "thresholds.self_update_percent and runner_release_age_days must set the alarms' thresholds."
  }

  assert {
    condition     = strcontains(one([for q in aws_cloudwatch_metric_alarm.self_updates.metric_query : q.expression if q.return_data == true]), "boots >= 30")
    error_message = "thresholds.self_update_min_boots must set the minimum boots per hour."
  }
}
run "eventbridge_rules_alarm_on_failed_invocations" {
  command = plan

  variables {
    eventbridge_rules = { spot_interruption = "ci-lifecycle-spot-interruption", state_change = "ci-lifecycle-state-change" }
  }

  assert {
    condition = { for k, a in aws_cloudwatch_metric_alarm.metric : k => [a.namespace, a.metric_name, a.dimensions.RuleName, a.statistic, a.threshold, a.comparison_operator] if startswith(k, "eventbridge_failed_") } == {
      eventbridge_failed_spot_interruption = ["AWS/Events", "FailedInvocations", "ci-lifecycle-spot-interruption", "Sum", 0, "GreaterThanThreshold"]
      eventbridge_failed_state_change      = ["AWS/Events", "FailedInvocations", "ci-lifecycle-state-change", "Sum", 0, "GreaterThanThreshold"]
    }
    error_message = "Each rule of eventbridge_rules must get an alarm on any AWS/Events FailedInvocations of that rule."
  }
}
