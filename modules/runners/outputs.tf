output "webhook_url" {
  description = "The GitHub App's webhook URL (https://<api-id>.execute-api.<region>.amazonaws.com/webhook)."
  value       = module.webhook.webhook_url
}

output "webhook_secret_parameter" {
  description = "Name of the SSM SecureString the webhook reads the current webhook secret from: put the App's webhook secret there."
  value       = local.github_app.webhook_secrets[0]
}

output "github_app_key_parameter" {
  description = "Name of the SSM SecureString scale-up, lifecycle and scale-down read the App's private key from: put the App's PEM key there."
  value       = local.github_app.key
}

output "jobs_queue_url" {
  description = "URL of the jobs queue (workflow_job.queued events, consumed by scale-up)."
  value       = module.jobs_queue.queue_url
}

output "jobs_queue_arn" {
  description = "ARN of the jobs queue."
  value       = module.jobs_queue.queue_arn
}

output "jobs_dlq_name" {
  description = "Name of the jobs dead-letter queue: jobs that could not get a runner end here (alarmed)."
  value       = module.jobs_queue.dlq_name
}

output "lifecycle_queue_url" {
  description = "URL of the lifecycle queue (in_progress/completed events and EC2 events, consumed by the lifecycle function)."
  value       = module.lifecycle_queue.queue_url
}

output "lifecycle_queue_arn" {
  description = "ARN of the lifecycle queue."
  value       = module.lifecycle_queue.queue_arn
}

output "lifecycle_dlq_name" {
  description = "Name of the lifecycle dead-letter queue (alarmed)."
  value       = module.lifecycle_queue.dlq_name
}

output "state_table_name" {
  description = "Name of the DynamoDB state table."
  value       = module.state.table_name
}

output "function_names" {
  description = "Names of the Lambda functions by role: webhook, scale_up, lifecycle, scale_down (their log groups are /aws/lambda/<name>)."
  value = {
    webhook    = module.webhook.function_name
    scale_up   = module.scale_up.function_name
    lifecycle  = module.lifecycle.function_name
    scale_down = module.scale_down.function_name
  }
}

output "runner_role_arns" {
  description = "ARN of the role each pool's runners hold, by pool name: the instance role of an EC2 pool, the task role of a Fargate pool (what a job step's AWS SDK calls use)."
  value       = merge({ for name, pool in module.runner_pool : name => pool.role_arn }, { for name, pool in module.fargate_pool : name => pool.task_role_arn })
}

output "launch_template_ids" {
  description = "ID of each EC2 pool's launch template, by pool name."
  value       = { for name, pool in module.runner_pool : name => pool.launch_template_id }
}

output "fargate_cluster_arn" {
  description = "ARN of the ECS cluster the Fargate pools' tasks run in (<prefix>-runners); null without a Fargate pool."
  value       = try(module.fargate_cluster[0].cluster_arn, null)
}

output "task_definition_arns" {
  description = "ARN (with revision) of each Fargate pool's task definition, by pool name."
  value       = { for name, pool in module.fargate_pool : name => pool.task_definition_arn }
}

output "pool_order" {
  description = "Pool names in routing order: when two pools fit a job equally well, the earlier one gets it."
  value       = local.pool_names
}

output "dashboard_url" {
  description = "Console URL of the skiff CloudWatch dashboard."
  value       = module.dashboard.dashboard_url
}

output "vpc_id" {
  description = "ID of the VPC runners launch in (created or given)."
  value       = local.vpc_id
}

output "subnet_ids" {
  description = "IDs of the subnets runners launch in (created or given)."
  value       = local.subnet_ids
}

output "kms_key_policy_json" {
  description = "With kms_key_arn: a key policy document holding the statement that key's policy must include so EventBridge can deliver EC2 events to the encrypted lifecycle queue and its DLQ (events.amazonaws.com: kms:GenerateDataKey, kms:Decrypt). Merge its Statement into the key policy; skiff does not manage the policy of a key it was given. Null without kms_key_arn."
  value       = local.kms_key_policy
}

output "lambda_security_group_id" {
  description = "The functions' security group that skiff created (lambda_vpc without security_group_ids; egress TCP 443 only), for VPC endpoint rules; null otherwise."
  value       = try(aws_security_group.lambda[0].id, null)
}

output "runner_log_group_names" {
  description = "Each pool's runner log group, by pool name: an EC2 pool's with debug.ship_logs (streams <instance-id>/bootstrap and <instance-id>/runner; EC2 pools that do not ship logs are left out), every Fargate pool's (streams runner/runner/<task-id>)."
  value       = merge({ for name, pool in module.runner_pool : name => pool.log_group_name if local.debug[name].ship_logs }, { for name, pool in module.fargate_pool : name => pool.log_group_name })
}

output "runner_security_group_ids" {
  description = "Each pool's runner security group ID (an EC2 pool's instances', a Fargate pool's tasks'), by pool name (egress only; reference it in the rules of what runners must reach, such as a VPC endpoint or a private registry)."
  value       = merge({ for name, pool in module.runner_pool : name => pool.security_group_id }, { for name, pool in module.fargate_pool : name => pool.security_group_id })
}

output "function_role_arns" {
  description = "The four functions' IAM role ARNs (webhook, scale_up, lifecycle, scale_down), for KMS key policies and permission boundaries reviews."
  value = {
    webhook    = module.webhook.role_arn
    scale_up   = module.scale_up.role_arn
    lifecycle  = module.lifecycle.role_arn
    scale_down = module.scale_down.role_arn
  }
}
