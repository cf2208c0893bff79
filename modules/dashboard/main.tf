locals {
  dashboard_name = "${var.prefix}-skiff"

  # SEARCH over skiff metrics with one extra, open-ended dimension (pool, reason).
  search = {
    for k, v in {
      routed_by_pool      = ["Pool", "JobsRouted", local.service.webhook]
      cap_by_pool         = ["Pool", "CapReached", local.service.scale_up]
      fallbacks_by_pool   = ["Pool", "SpotFallbacks", local.service.scale_up]
      terminated          = ["Reason", "InstancesTerminated", local.service.scale_down]
      rejected            = ["Reason", "WebhookRejected", local.service.webhook]
      ignored             = ["Reason", "WebhookIgnored", local.service.webhook]
      requeued_lifecycle  = ["Pool", "JobsRequeued", local.service.lifecycle]
      requeued_scale_down = ["Pool", "JobsRequeued", local.service.scale_down]
      failed_lifecycle    = ["Pool", "JobsFailed", local.service.lifecycle]
      failed_scale_down   = ["Pool", "JobsFailed", local.service.scale_down]
      warm_hits           = ["Pool", "WarmHits", local.service.lifecycle]
      warm_misses         = ["Pool", "WarmMisses", local.service.lifecycle]
      warm_waiting        = ["Pool", "WarmIdleRunners", local.service.scale_down]
    } : k => "SEARCH('{${local.ns},service,${v[0]}} MetricName=\"${v[1]}\" service=\"${v[2]}\"', 'Sum', ${local.period})"
  }

  sum = { stat = "Sum" }

  core_widgets = [
    {
      title   = "Jobs routed by pool (webhook)"
      stacked = true
      metrics = [[{ expression = local.search.routed_by_pool, id = "routed" }]]
    },
    {
      title   = "Instances launched by capacity type"
      stacked = true
      metrics = [
        [local.ns, "InstancesLaunched", "service", local.service.scale_up, "CapacityType", "spot", merge(local.sum, { label = "spot" })],
        [local.ns, "InstancesLaunched", "service", local.service.scale_up, "CapacityType", "on-demand", merge(local.sum, { label = "on-demand" })],
      ]
    },
    {
      title = "Spot share of launches (%)"
      yAxis = { left = { min = 0, max = 100 } }
      metrics = [
        [local.ns, "InstancesLaunched", "service", local.service.scale_up, "CapacityType", "spot", merge(local.sum, { id = "spot", visible = false })],
        [local.ns, "InstancesLaunched", "service", local.service.scale_up, "CapacityType", "on-demand", merge(local.sum, { id = "od", visible = false })],
        [{ expression = "100 * FILL(spot, 0) / (FILL(spot, 0) + FILL(od, 0))", id = "share", label = "spot %" }],
      ]
    },
    {
      title = "Queued → launch request and queued → running (ms)"
      metrics = [
        [local.ns, "QueuedToLaunchMs", "service", local.service.scale_up, { stat = "p50", label = "queued → launch p50" }],
        [local.ns, "QueuedToLaunchMs", "service", local.service.scale_up, { stat = "p99", label = "queued → launch p99" }],
        [local.ns, "QueuedToRunningMs", "service", local.service.lifecycle, { stat = "p50", label = "queued → running p50" }],
        [local.ns, "QueuedToRunningMs", "service", local.service.lifecycle, { stat = "p99", label = "queued → running p99" }],
      ]
    },
    {
      title = "Queue depth and age of oldest message"
      metrics = [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.queues.jobs_queue_name, { stat = "Maximum", label = "jobs: visible" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", var.queues.jobs_queue_name, { stat = "Maximum", label = "jobs: in flight" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.queues.lifecycle_queue_name, { stat = "Maximum", label = "lifecycle: visible" }],
        ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.queues.jobs_queue_name, { stat = "Maximum", label = "jobs: oldest (s)", yAxis = "right" }],
        ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.queues.lifecycle_queue_name, { stat = "Maximum", label = "lifecycle: oldest (s)", yAxis = "right" }],
      ]
    },
    {
      title = "Dead-letter queues (messages)"
      metrics = [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.queues.jobs_dlq_name, { stat = "Maximum", label = "jobs DLQ" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.queues.lifecycle_dlq_name, { stat = "Maximum", label = "lifecycle DLQ" }],
      ]
    },
    {
      title   = "Launch errors by kind"
      stacked = true
      metrics = [
        for kind in ["capacity", "throttled", "permanent"] :
        [local.ns, "LaunchErrors", "service", local.service.scale_up, "Kind", kind, merge(local.sum, { label = kind })]
      ]
    },
    {
      title = "Errors"
      metrics = concat(
        [for fn, name in var.function_names : ["AWS/Lambda", "Errors", "FunctionName", name, merge(local.sum, { label = "${name} (Lambda)" })]],
        [
          [local.ns, "WebhookErrors", "service", local.service.webhook, merge(local.sum, { label = "webhook errors" })],
          [local.ns, "JitErrors", "service", local.service.scale_up, merge(local.sum, { label = "JIT config errors" })],
          [local.ns, "InvalidMessages", "service", local.service.scale_up, merge(local.sum, { label = "invalid job messages" })],
          [local.ns, "ReconcileErrors", "service", local.service.scale_down, merge(local.sum, { label = "reconcile errors" })],
        ],
      )
    },
    {
      title   = "Instances terminated by reason (reconcile)"
      stacked = true
      metrics = [[{ expression = local.search.terminated, id = "terminated" }]]
    },
    {
      title = "Spot interruptions, retries, requeues and failed jobs"
      metrics = [
        [local.ns, "SpotInterruptions", "service", local.service.lifecycle, merge(local.sum, { label = "spot interruptions" })],
        [local.ns, "JobsRetried", "service", local.service.lifecycle, merge(local.sum, { label = "jobs re-run" })],
        [{ expression = "SUM(${local.search.requeued_lifecycle})", id = "rq1", label = "requeued (lifecycle)" }],
        [{ expression = "SUM(${local.search.requeued_scale_down})", id = "rq2", label = "requeued (reconcile)" }],
        [{ expression = "SUM(${local.search.failed_lifecycle})", id = "f1", label = "failed (lifecycle)" }],
        [{ expression = "SUM(${local.search.failed_scale_down})", id = "f2", label = "failed (reconcile)" }],
      ]
    },
    {
      title = "Webhook deliveries: accepted, rejected, ignored"
      metrics = [
        [local.ns, "WebhookAccepted", "service", local.service.webhook, merge(local.sum, { label = "accepted" })],
        [{ expression = local.search.rejected, id = "rejected", label = "rejected" }],
        [{ expression = local.search.ignored, id = "ignored", label = "ignored" }],
      ]
    },
    {
      title = "Scale-up: cap reached and spot fallbacks by pool"
      metrics = [
        [{ expression = local.search.cap_by_pool, id = "cap", label = "cap reached" }],
        [{ expression = local.search.fallbacks_by_pool, id = "fallback", label = "spot fallback" }],
      ]
    },
    {
      title = "Scale-up: duplicates and skipped jobs"
      metrics = [
        [local.ns, "DuplicateJobs", "service", local.service.scale_up, merge(local.sum, { label = "duplicate deliveries" })],
        [local.ns, "JobsSkipped", "service", local.service.scale_up, merge(local.sum, { label = "skipped (no longer queued)" })],
      ]
    },
    {
      title = "Reconcile: registrations deleted, webhooks redelivered"
      metrics = [
        [local.ns, "RegistrationsDeleted", "service", local.service.scale_down, merge(local.sum, { label = "runner registrations deleted" })],
        [local.ns, "WebhooksRedelivered", "service", local.service.scale_down, merge(local.sum, { label = "webhooks redelivered" })],
      ]
    },
    {
      title = "Lambda duration p99 (ms) and throttles"
      metrics = concat(
        [for fn, name in var.function_names : ["AWS/Lambda", "Duration", "FunctionName", name, { stat = "p99", label = "${name} p99" }]],
        [for fn, name in var.function_names : ["AWS/Lambda", "Throttles", "FunctionName", name, merge(local.sum, { label = "${name} throttles", yAxis = "right" })]],
      )
    },
  ]

  api_widgets = var.api_id == null ? [] : [
    {
      title = "Webhook API: requests, 4xx, 5xx"
      metrics = [
        ["AWS/ApiGateway", "Count", "ApiId", var.api_id, merge(local.sum, { label = "requests" })],
        ["AWS/ApiGateway", "4xx", "ApiId", var.api_id, merge(local.sum, { label = "4xx" })],
        ["AWS/ApiGateway", "5xx", "ApiId", var.api_id, merge(local.sum, { label = "5xx" })],
      ]
    },
    {
      title = "Webhook API latency (ms)"
      metrics = [
        ["AWS/ApiGateway", "Latency", "ApiId", var.api_id, { stat = "p50", label = "latency p50" }],
        ["AWS/ApiGateway", "Latency", "ApiId", var.api_id, { stat = "p99", label = "latency p99" }],
        ["AWS/ApiGateway", "IntegrationLatency", "ApiId", var.api_id, { stat = "p99", label = "integration latency p99" }],
      ]
    },
  ]

  pool_widgets = [
    for pool in var.pool_names : {
      title = "Pool ${pool}"
      metrics = [
        [local.ns, "JobsRouted", "service", local.service.webhook, "Pool", pool, merge(local.sum, { label = "routed" })],
        [local.ns, "CapReached", "service", local.service.scale_up, "Pool", pool, merge(local.sum, { label = "cap reached" })],
        [local.ns, "SpotFallbacks", "service", local.service.scale_up, "Pool", pool, merge(local.sum, { label = "spot fallbacks" })],
        [local.ns, "JobsRequeued", "service", local.service.lifecycle, "Pool", pool, merge(local.sum, { label = "requeued (lifecycle)" })],
        [local.ns, "JobsRequeued", "service", local.service.scale_down, "Pool", pool, merge(local.sum, { label = "requeued (reconcile)" })],
        [local.ns, "JobsFailed", "service", local.service.lifecycle, "Pool", pool, merge(local.sum, { label = "failed (lifecycle)" })],
        [local.ns, "JobsFailed", "service", local.service.scale_down, "Pool", pool, merge(local.sum, { label = "failed (reconcile)" })],
      ]
    }
  ]

  # Warm runners. In a pool that keeps them, a hit is a job started on a runner that was already
  # waiting (GitHub gave it the job, or scale-up set it aside for it), a miss one started on a
  # runner launched for a job; the lifecycle counts both when the job starts. The reconcile counts the waiting runners once a cycle, so the sum
  # of those counts times the cycle is the idle runner time the pool paid for.
  warm_widgets = [
    {
      title = "Warm runners: hits and misses"
      metrics = [
        [{ expression = "SUM(${local.search.warm_hits})", id = "hits", label = "hits" }],
        [{ expression = "SUM(${local.search.warm_misses})", id = "misses", label = "misses" }],
      ]
    },
    {
      title = "Warm runners waiting (per pool) and idle runner-hours"
      metrics = [
        [{ expression = replace(local.search.warm_waiting, "'Sum'", "'Average'"), id = "waiting" }],
        [{ expression = "SUM(${local.search.warm_waiting}) * ${var.reconcile_period_minutes} / 60", id = "hours", label = "idle runner-hours", yAxis = "right" }],
      ]
    },
  ]

  # Runner freshness, from the bootstrap's skiff/runner metrics.
  runner_search = "SEARCH('{${local.runner_ns},service,Pool} MetricName=\"BootToJobSeconds\" service=\"${local.runner_service}\"', 'p50', ${local.period})"
  runner_widgets = [
    {
      title = "Runner boots that self-updated (%, hourly)"
      yAxis = { left = { min = 0, max = 100 } }
      metrics = [
        [local.runner_ns, "SelfUpdated", "service", local.runner_service, { id = "updated", stat = "Sum", period = 3600, visible = false }],
        [local.runner_ns, "Boots", "service", local.runner_service, { id = "boots", stat = "Sum", period = 3600, label = "boots", yAxis = "right" }],
        [{ expression = "100 * FILL(updated, 0) / boots", id = "share", label = "self-updated %" }],
      ]
      annotations = { horizontal = [{ value = var.thresholds.self_update_percent, label = "alarm" }] }
    },
    {
      title = "Boot → runner online and boot → job (s)"
      metrics = [
        [local.runner_ns, "BootToOnlineSeconds", "service", local.runner_service, "SelfUpdated", "no", { stat = "p50", label = "online p50, no self-update" }],
        [local.runner_ns, "BootToOnlineSeconds", "service", local.runner_service, "SelfUpdated", "yes", { stat = "p50", label = "online p50, self-updated" }],
        [local.runner_ns, "BootToOnlineSeconds", "service", local.runner_service, "SelfUpdated", "no", { stat = "p90", label = "online p90, no self-update" }],
        [{ expression = local.runner_search, id = "job", label = "job p50" }],
      ]
    },
    {
      title = "Age of the booted image's runner release (days)"
      metrics = [
        [local.runner_ns, "RunnerReleaseAgeDays", "service", local.runner_service, { stat = "Maximum", label = "oldest booted" }],
      ]
      annotations = { horizontal = [
        { value = var.thresholds.runner_release_age_days, label = "alarm" },
        { value = 30, label = "GitHub's 30 days (from the next release)" },
      ] }
    },
  ]

  graphs = concat(local.core_widgets, local.warm_widgets, local.runner_widgets, local.api_widgets, local.pool_widgets)

  alarm_arns = merge(
    { for k, a in aws_cloudwatch_metric_alarm.metric : k => a.arn },
    { for k, a in aws_cloudwatch_metric_alarm.insights : k => a.arn },
    { runners_self_updating = aws_cloudwatch_metric_alarm.self_updates.arn },
  )

  # Alarm states across the top, then graphs two to a row.
  widgets = concat(
    [{
      type   = "alarm"
      x      = 0
      y      = 0
      width  = 24
      height = 4
      properties = {
        title  = "skiff ${var.prefix}: alarms"
        alarms = [for k in sort(keys(local.alarm_arns)) : local.alarm_arns[k]]
      }
    }],
    [
      for i, w in local.graphs : {
        type   = "metric"
        x      = (i % 2) * 12
        y      = 4 + floor(i / 2) * 6
        width  = 12
        height = 6
        properties = merge(
          {
            title   = w.title
            region  = var.region
            view    = "timeSeries"
            stacked = try(w.stacked, false)
            period  = local.period
            stat    = "Sum"
            metrics = w.metrics
          },
          can(w.yAxis) ? { yAxis = w.yAxis } : {},
          can(w.annotations) ? { annotations = w.annotations } : {},
        )
      }
    ],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = local.dashboard_name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
