output "webhook_url" {
  description = "Set this as the GitHub App's webhook URL."
  value       = module.runners.webhook_url
}

output "webhook_secret_parameter" {
  description = "Put the App's webhook secret in this SSM SecureString."
  value       = module.runners.webhook_secret_parameter
}

output "github_app_key_parameter" {
  description = "Put the App's private key (PEM) in this SSM SecureString."
  value       = module.runners.github_app_key_parameter
}

output "repository_url" {
  description = "Where images/runner/build.sh pushes the runner image."
  value       = aws_ecr_repository.runner.repository_url
}

output "pool_order" {
  description = "Pools in routing order."
  value       = module.runners.pool_order
}

output "fargate_cluster_arn" {
  description = "The cluster the lint pool's tasks run in."
  value       = module.runners.fargate_cluster_arn
}

output "task_definition_arns" {
  description = "The Fargate pools' task definitions, by pool."
  value       = module.runners.task_definition_arns
}

output "runner_role_arns" {
  description = "The role each pool's runners hold (the linux pool's instance role, the lint pool's task role): one permission each, their own JIT config."
  value       = module.runners.runner_role_arns
}

output "dashboard_url" {
  description = "The skiff CloudWatch dashboard."
  value       = module.runners.dashboard_url
}

output "deploy_role_arn" {
  description = "The role a job assumes with aws-actions/configure-aws-credentials (role-to-assume)."
  value       = aws_iam_role.deploy.arn
}
