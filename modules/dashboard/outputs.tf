output "dashboard_name" {
  description = "Name of the CloudWatch dashboard (\"<prefix>-skiff\")."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the dashboard in var.region (commercial partition)."
  value       = "https://${var.region}.console.aws.amazon.com/cloudwatch/home?region=${var.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this.dashboard_name}"
}

output "alarm_arns" {
  description = "ARNs of the alarms by key: jobs_dlq_not_empty, lifecycle_dlq_not_empty, launch_errors_permanent, launch_errors_capacity, spot_fallbacks, webhook_rejections, webhook_errors, jobs_failed_lifecycle, jobs_failed_scale_down, queued_to_running_p90, runner_release_age, runners_self_updating, eventbridge_failed_<key of eventbridge_rules>, and lambda_errors_<webhook|scale_up|scale_down|lifecycle>."
  value       = local.alarm_arns
}

output "alarm_names" {
  description = "Names of the alarms by the same keys as alarm_arns (for `aws cloudwatch describe-alarms --alarm-names`)."
  value = merge(
    { for k, a in aws_cloudwatch_metric_alarm.metric : k => a.alarm_name },
    { for k, a in aws_cloudwatch_metric_alarm.insights : k => a.alarm_name },
    { runners_self_updating = aws_cloudwatch_metric_alarm.self_updates.alarm_name },
  )
}
