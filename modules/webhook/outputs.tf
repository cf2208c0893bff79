output "webhook_url" {
  description = "URL to set as the GitHub App's webhook URL (https://<api-id>.execute-api.<region>.amazonaws.com/webhook)."
  value       = "${aws_apigatewayv2_api.this.api_endpoint}/webhook"
}

output "api_id" {
  description = "ID of the HTTP API (the ApiId dimension of its CloudWatch metrics)."
  value       = aws_apigatewayv2_api.this.id
}

output "api_execution_arn" {
  description = "Execution ARN of the HTTP API."
  value       = aws_apigatewayv2_api.this.execution_arn
}

output "function_name" {
  description = "Name of the webhook Lambda function."
  value       = module.function.function_name
}

output "function_arn" {
  description = "ARN of the webhook Lambda function."
  value       = module.function.function_arn
}

output "role_name" {
  description = "Name of the function's IAM role."
  value       = module.function.role_name
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = module.function.role_arn
}

output "log_group_name" {
  description = "Name of the function's log group (/aws/lambda/<name>)."
  value       = module.function.log_group_name
}

output "access_log_group_name" {
  description = "Name of the API access log group, or null when api.access_logging is off."
  value       = try(aws_cloudwatch_log_group.access[0].name, null)
}

output "service_name" {
  description = "The Powertools service name (the `service` dimension of the function's metrics)."
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
