output "cluster_arn" {
  description = "ARN of the cluster (RunTask's cluster; scope for ecs:RunTask conditions)."
  value       = aws_ecs_cluster.this.arn
}

output "cluster_name" {
  description = "Name of the cluster (<prefix>-runners)."
  value       = aws_ecs_cluster_capacity_providers.this.cluster_name
}

output "capacity_providers" {
  description = "Capacity providers associated with the cluster: FARGATE_SPOT and FARGATE."
  value       = aws_ecs_cluster_capacity_providers.this.capacity_providers
}
