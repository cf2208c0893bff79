output "launch_template_id" {
  description = "ID of the pool's launch template (scale-up's launchTemplateId)."
  value       = aws_launch_template.this.id
}

output "launch_template_arn" {
  description = "ARN of the pool's launch template (for scale-up's CreateFleet/RunInstances permissions)."
  value       = aws_launch_template.this.arn
}

output "launch_template_latest_version" {
  description = "Latest version of the launch template (it is also the default version)."
  value       = aws_launch_template.this.latest_version
}

output "role_name" {
  description = "Name of the runner instances' IAM role."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "ARN of the runner instances' IAM role (scale-up's iam:PassRole resource)."
  value       = aws_iam_role.this.arn
}

output "instance_profile_arn" {
  description = "ARN of the runner instance profile."
  value       = aws_iam_instance_profile.this.arn
}

output "security_group_id" {
  description = "ID of the runners' egress-only security group."
  value       = aws_security_group.this.id
}

output "log_group_name" {
  description = "Name of the runners' CloudWatch agent log group (/skiff/<prefix>/<name>), or null without cloudwatch_agent_logs.enabled."
  value       = try(aws_cloudwatch_log_group.runner[0].name, null)
}

output "role_path" {
  description = "IAM path of the runners' role (iam.path)."
  value       = aws_iam_role.this.path
}

output "role_permissions_boundary_arn" {
  description = "Permissions boundary of the runners' role (iam.permissions_boundary_arn), or null."
  value       = aws_iam_role.this.permissions_boundary
}

output "user_data_bytes" {
  description = "Size of the launch template's user data in bytes before base64 (EC2 allows 16384)."
  value       = local.user_data_bytes
}
