output "task_definition_arn" {
  description = "ARN of the pool's task definition, with its revision (scale-up's RunTask taskDefinition)."
  value       = aws_ecs_task_definition.this.arn
}

output "task_definition_family" {
  description = "Family of the pool's task definition (<prefix>-<name>-runner): for RunTask permissions that hold across revisions."
  value       = aws_ecs_task_definition.this.family
}

output "task_definition_revision" {
  description = "Revision of the pool's task definition."
  value       = aws_ecs_task_definition.this.revision
}

output "container_name" {
  description = "Name of the runner container in the task definition."
  value       = local.container_name
}

output "task_role_arn" {
  description = "ARN of the tasks' role (scale-up's iam:PassRole resource)."
  value       = aws_iam_role.task.arn
}

output "task_role_unique_id" {
  description = "Unique ID (AROA...) of the tasks' role: scale-up tags /<prefix>/jit/<task-id> with skiff:task-userid = <this>:<task-id>."
  value       = aws_iam_role.task.unique_id
}

output "execution_role_arn" {
  description = "ARN of the task execution role (scale-up's iam:PassRole resource)."
  value       = aws_iam_role.execution.arn
}

output "role_path" {
  description = "IAM path of both roles (iam.path)."
  value       = aws_iam_role.task.path
}

output "security_group_id" {
  description = "ID of the tasks' egress-only security group (RunTask's awsvpcConfiguration)."
  value       = aws_security_group.this.id
}

output "log_group_name" {
  description = "Name of the tasks' log group (/skiff/<prefix>/<name>)."
  value       = aws_cloudwatch_log_group.this.name
}

output "spot_supported" {
  description = "Whether the pool can run on FARGATE_SPOT: true for x86_64; Fargate Spot does not run arm64 tasks, so scale-up must use FARGATE for them."
  value       = var.architecture == "x86_64"
}
