output "function_name" {
  description = "Name of the scale-up Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the scale-up Lambda function."
  value       = aws_lambda_function.this.arn
}

output "role_name" {
  description = "Name of the function's IAM role."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "ARN of the function's IAM role (for KMS key policies)."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Name of the function's log group (/aws/lambda/<name>)."
  value       = aws_cloudwatch_log_group.this.name
}

output "event_source_mapping_uuid" {
  description = "ID of the SQS event source mapping."
  value       = aws_lambda_event_source_mapping.jobs.uuid
}

output "service_name" {
  description = "The Powertools service name (the `service` dimension of the function's metrics)."
  value       = var.name
}
