output "repository_url" {
  description = "Where images/runner/build.sh pushes the runner image."
  value       = aws_ecr_repository.runner.repository_url
}

output "cluster_arn" {
  description = "The cluster the pool's tasks run in."
  value       = module.cluster.cluster_arn
}

output "task_definition_arn" {
  description = "The lint pool's task definition."
  value       = module.lint.task_definition_arn
}

output "task_role_arn" {
  description = "The lint pool's task role (scale-up's iam:PassRole)."
  value       = module.lint.task_role_arn
}

output "execution_role_arn" {
  description = "The lint pool's execution role (scale-up's iam:PassRole)."
  value       = module.lint.execution_role_arn
}

output "security_group_id" {
  description = "The lint pool's egress-only security group."
  value       = module.lint.security_group_id
}

output "subnet_ids" {
  description = "Subnets for the tasks (RunTask's awsvpcConfiguration, with assignPublicIp ENABLED in this public layout)."
  value       = module.vpc.subnet_ids
}

output "deploy_role_arn" {
  description = "The role a job assumes with aws-actions/configure-aws-credentials (role-to-assume)."
  value       = aws_iam_role.deploy.arn
}
