# One ECS cluster for every Fargate pool of a deployment. Tasks need no cluster capacity of
# their own: the two Fargate capacity providers exist in every account and only have to be
# associated with the cluster.

resource "aws_ecs_cluster" "this" {
  name = "${var.prefix}-runners"
  tags = var.tags

  setting {
    name  = "containerInsights"
    value = var.container_insights
  }
}

# Scale-up names the provider on every RunTask (FARGATE_SPOT first, the shortfall on
# FARGATE), so the default strategy only matters to tasks started by hand: on-demand, so
# that an arm64 task (Fargate Spot runs x86_64 only) started that way still runs.
resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE_SPOT", "FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}
