# The dashboard body: valid JSON naming every function's metrics.

mock_provider "aws" {}

override_resource {
  override_during = plan
  target          = aws_cloudwatch_metric_alarm.metric
  values = {
    arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ci-metric"
  }
}

override_resource {
  override_during = plan
  target          = aws_cloudwatch_metric_alarm.self_updates
  values = {
    arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ci-runners-self-updating"
  }
}

override_resource {
  override_during = plan
  target          = aws_cloudwatch_metric_alarm.insights
  values = {
    arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ci-insights"
  }
}

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

run "body_is_json_and_names_every_service" {
  command = plan

  assert {
    condition     = can(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets)
    error_message = "The dashboard body must be valid JSON with a widgets list."
  }

  assert {
    condition = alltrue([
      for svc in ["ci-webhook", "ci-scale-up", "ci-scale-down", "ci-lifecycle"] : anytrue([
        for v in flatten([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : try(w.properties.metrics, [])]) : v == svc
      ])
    ])
    error_message = "The dashboard must graph metrics of every function's service dimension (<prefix>-webhook, -scale-up, -scale-down, -lifecycle)."
  }

  assert {
    condition = alltrue([
      for fn in ["ci-webhook-fn", "ci-scale-up-fn", "ci-scale-down-fn", "ci-lifecycle-fn"] :
      strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "\"${fn}\"")
    ])
    error_message = "The dashboard must graph each Lambda function's AWS/Lambda metrics."
  }

  assert {
    condition     = alltrue([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.region == "eu-west-1" if w.type == "metric"])
    error_message = "Every metric widget must name var.region."
  }

  assert {
    condition     = aws_cloudwatch_dashboard.this.dashboard_name == "ci-skiff" && output.dashboard_name == "ci-skiff"
    error_message = "The dashboard must be named <prefix>-skiff."
  }

  assert {
    condition     = output.dashboard_url == "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/ci-skiff"
    error_message = "dashboard_url must open the dashboard in var.region's console."
  }
}

run "queues_and_alarms_appear_on_the_dashboard" {
  command = plan

  assert {
    condition = alltrue([
      for q in ["ci-jobs", "ci-jobs-dlq", "ci-lifecycle", "ci-lifecycle-dlq"] :
      strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "\"${q}\"")
    ])
    error_message = "The dashboard must graph all four queues."
  }

  assert {
    condition     = length(one([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w if w.type == "alarm"]).properties.alarms) == 16
    error_message = "The alarm status widget must list all 16 alarms."
  }

  assert {
    condition     = length(output.alarm_arns) == 16 && output.alarm_arns["jobs_dlq_not_empty"] == "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ci-metric"
    error_message = "alarm_arns must map every alarm key to its ARN."
  }

  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "SEARCH('{skiff,service,Reason} MetricName=\\\"WebhookRejected\\\" service=\\\"ci-webhook\\\"', 'Sum', 300)")
    error_message = "Open-ended dimensions (rejection reasons) must be graphed with SEARCH."
  }
}

run "no_api_widgets_without_api_id" {
  command = plan

  assert {
    condition     = !strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "AWS/ApiGateway")
    error_message = "Without api_id the dashboard must have no API Gateway widgets."
  }
}

run "api_widgets_with_api_id" {
  command = plan

  variables {
    api_id = "a1b2c3d4e5"
  }

  assert {
    condition = length([
      for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w
      if strcontains(jsonencode(try(w.properties.metrics, [])), "\"AWS/ApiGateway\"") && strcontains(jsonencode(try(w.properties.metrics, [])), "\"a1b2c3d4e5\"")
    ]) == 2
    error_message = "With api_id the dashboard must graph the HTTP API's requests/4xx/5xx and latency."
  }

  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "\"5xx\"") && strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "\"Latency\"")
    error_message = "The API widgets must show 5xx and Latency."
  }
}

run "a_row_per_pool" {
  command = plan

  variables {
    pool_names = ["linux", "deploy"]
  }

  assert {
    condition     = toset([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.title if startswith(try(w.properties.title, ""), "Pool ")]) == toset(["Pool linux", "Pool deploy"])
    error_message = "Each pool in pool_names must get its own widget."
  }

  assert {
    condition = alltrue([
      for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets :
      w.x + w.width <= 24 if w.type == "metric"
    ])
    error_message = "Widgets must fit the 24-column grid."
  }
}

run "runner_freshness_is_graphed" {
  command = plan

  assert {
    condition = toset([
      for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.title
      if strcontains(jsonencode(try(w.properties.metrics, [])), "skiff/runner")
      ]) == toset([
      "Runner boots that self-updated (%, hourly)",
      "Boot → runner online and boot → job (s)",
      "Age of the booted image's runner release (days)",
    ])
    error_message = "The dashboard must graph the self-updated share of boots, boot-to-online (self-updated or not) and the booted runner release's age from skiff/runner."
  }

  assert {
    condition = one([
      for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.annotations.horizontal
      if try(w.properties.title, "") == "Age of the booted image's runner release (days)"
    ]) == [{ value = 25, label = "alarm" }, { value = 30, label = "GitHub's 30 days (from the next release)" }]
    error_message = "The release age widget must mark the alarm threshold (25 days) and GitHub's 30 days."
  }

  assert {
    condition     = output.alarm_arns["runners_self_updating"] == "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ci-runners-self-updating"
    error_message = "The self-update alarm must be in alarm_arns as runners_self_updating."
  }
}

run "warm_runners_hits_misses_and_idle_hours" {
  command = plan

  variables {
    reconcile_period_minutes = 5
  }

  assert {
    condition = length([
      for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w
      if startswith(try(w.properties.title, ""), "Warm runners")
    ]) == 2
    error_message = "The dashboard must graph warm runners: hits and misses, and those waiting with their idle hours."
  }

  assert {
    condition = alltrue([
      for m in ["\\\"WarmHits\\\" service=\\\"ci-lifecycle\\\"", "\\\"WarmMisses\\\" service=\\\"ci-lifecycle\\\""] :
      strcontains(aws_cloudwatch_dashboard.this.dashboard_body, m)
    ])
    error_message = "Warm hits and misses are counted by the lifecycle function when a job starts."
  }

  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "MetricName=\\\"WarmIdleRunners\\\" service=\\\"ci-scale-down\\\"', 'Sum', 300)) * 5 / 60")
    error_message = "Idle runner-hours must be the sum of the reconcile's per-cycle counts times its period (5 minutes here) in hours."
  }
}
