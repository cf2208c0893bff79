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

output "pool_order" {
  description = "Pools in routing order."
  value       = module.runners.pool_order
}

output "dashboard_url" {
  description = "The skiff CloudWatch dashboard."
  value       = module.runners.dashboard_url
}
