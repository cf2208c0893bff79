output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "ARN API Gateway invokes the function with."
  value       = aws_lambda_function.this.invoke_arn
}

output "role_name" {
  description = "Name of the function's IAM role."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "ARN of the function's IAM role (for KMS key policies)."
  value       = aws_iam_role.this.arn
}

output "policy_json" {
  description = "The role's inline policy: the base statements (WriteOwnLogs) followed by policy_json's."
  value       = data.aws_iam_policy_document.this.json
}

output "log_group_name" {
  description = "Name of the function's log group (/aws/lambda/<name>)."
  value       = aws_cloudwatch_log_group.this.name
}

output "event_source_mapping_uuid" {
  description = "ID of the SQS event source mapping, or null without event_source."
  value       = try(aws_lambda_event_source_mapping.this[0].uuid, null)
}

output "service_name" {
  description = "The Powertools service name (the `service` dimension of the function's metrics)."
  value       = local.environment.POWERTOOLS_SERVICE_NAME
}

output "role_path" {
  description = "IAM path of the function's role (iam.path)."
  value       = aws_iam_role.this.path
}

output "role_permissions_boundary_arn" {
  description = "Permissions boundary of the function's role (iam.permissions_boundary_arn), or null."
  value       = aws_iam_role.this.permissions_boundary
}

output "vpc_subnet_ids" {
  description = "Subnets the function runs in (vpc.subnet_ids), or null outside a VPC."
  value       = try(aws_lambda_function.this.vpc_config[0].subnet_ids, null)
}
