output "function_name" {
  description = "Name of the lifecycle Lambda function."
  value       = module.function.function_name
}

output "function_arn" {
  description = "ARN of the lifecycle Lambda function."
  value       = module.function.function_arn
}

output "role_name" {
  description = "Name of the function's IAM role."
  value       = module.function.role_name
}

output "role_arn" {
  description = "ARN of the function's IAM role (for KMS key policies)."
  value       = module.function.role_arn
}

output "log_group_name" {
  description = "Name of the function's log group (/aws/lambda/<name>)."
  value       = module.function.log_group_name
}

output "event_source_mapping_uuid" {
  description = "ID of the SQS event source mapping on the lifecycle queue."
  value       = module.function.event_source_mapping_uuid
}

output "service_name" {
  description = "The Powertools service name, <prefix>-lifecycle (the `service` dimension of the function's metrics)."
  value       = module.function.service_name
}

output "eventbridge_rule_arns" {
  description = "ARNs of the EventBridge rules (two, three with fargate), computed from their names and the lifecycle queue's account and region rather than read from the rules: give them to the lifecycle queue's module as eventbridge_rule_arns (no dependency cycle, see README)."
  value       = values(local.rule_arns)
}

output "spot_interruption_rule_name" {
  description = "Name of the EC2 Spot Instance Interruption Warning rule (<name>-spot-interruption)."
  value       = aws_cloudwatch_event_rule.spot_interruption.name
}

output "state_change_rule_name" {
  description = "Name of the EC2 Instance State-change Notification rule (<name>-state-change)."
  value       = aws_cloudwatch_event_rule.state_change.name
}

output "timeout_seconds" {
  description = "The function's timeout in seconds: give it to the lifecycle queue's module as consumer_timeout_seconds (the visibility timeout becomes six times this)."
  value       = var.function.timeout
}

output "eventbridge_rule_names" {
  description = "Names of the EventBridge rules by role (spot_interruption, state_change, and task_state_change with fargate): the dashboard alarms on each one's FailedInvocations."
  value       = local.rule_names
}

output "role_path" {
  description = "IAM path of the function's role (iam.path)."
  value       = module.function.role_path
}

output "role_permissions_boundary_arn" {
  description = "Permissions boundary of the function's role (iam.permissions_boundary_arn), or null."
  value       = module.function.role_permissions_boundary_arn
}

output "vpc_subnet_ids" {
  description = "Subnets the function runs in (vpc.subnet_ids), or null outside a VPC."
  value       = module.function.vpc_subnet_ids
}
