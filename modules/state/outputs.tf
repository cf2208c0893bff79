output "table_name" {
  description = "Name of the table (the Lambdas' SKIFF_STATE_TABLE)."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "ARN of the table (for IAM policies)."
  value       = aws_dynamodb_table.this.arn
}

output "point_in_time_recovery" {
  description = "Whether the table has point-in-time recovery."
  value       = aws_dynamodb_table.this.point_in_time_recovery[0].enabled
}

output "deletion_protection" {
  description = "Whether the table refuses deletion."
  value       = aws_dynamodb_table.this.deletion_protection_enabled
}
