output "function_name" {
  description = "Name of the scale-down Lambda function."
  value       = module.function.function_name
}

output "function_arn" {
  description = "ARN of the scale-down Lambda function."
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

output "schedule_rule_name" {
  description = "Name of the EventBridge schedule rule (<name>-schedule)."
  value       = aws_cloudwatch_event_rule.schedule.name
}

output "schedule_rule_arn" {
  description = "ARN of the EventBridge schedule rule (the only source allowed to invoke the function)."
  value       = aws_cloudwatch_event_rule.schedule.arn
}

output "service_name" {
  description = "The Powertools service name, <prefix>-scale-down (the `service` dimension of the function's metrics)."
  value       = module.function.service_name
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

output "schedule_expression" {
  description = "How often the reconcile runs (the schedule rule's rate expression)."
  value       = aws_cloudwatch_event_rule.schedule.schedule_expression
}
