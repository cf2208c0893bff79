# The cluster the Fargate pools run in, under a mocked AWS provider.

mock_provider "aws" {
  override_during = plan

  mock_resource "aws_ecs_cluster" {
    defaults = { arn = "arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners" }
  }
}

variables {
  prefix = "ci"
}

run "cluster_with_both_fargate_capacity_providers" {
  command = plan

  assert {
    condition     = aws_ecs_cluster.this.name == "ci-runners" && output.cluster_arn == "arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners"
    error_message = "The cluster is <prefix>-runners and its ARN is an output."
  }

  assert {
    condition     = aws_ecs_cluster_capacity_providers.this.capacity_providers == toset(["FARGATE", "FARGATE_SPOT"])
    error_message = "Both Fargate capacity providers must be associated: scale-up asks for FARGATE_SPOT first and FARGATE for the shortfall."
  }

  assert {
    condition     = [for s in aws_ecs_cluster_capacity_providers.this.default_capacity_provider_strategy : s.capacity_provider] == ["FARGATE"]
    error_message = "The default strategy (tasks started without one) is on-demand FARGATE, which runs both architectures."
  }

  assert {
    condition     = one([for s in aws_ecs_cluster.this.setting : s.value if s.name == "containerInsights"]) == "disabled"
    error_message = "Container Insights is off by default (it bills metrics per task)."
  }
}

run "reject_bad_prefix" {
  command = plan

  variables {
    prefix = "ci_"
  }

  expect_failures = [var.prefix]
}

run "reject_unknown_container_insights_mode" {
  command = plan

  variables {
    container_insights = "on"
  }

  expect_failures = [var.container_insights]
}

run "reject_skiff_tags" {
  command = plan

  variables {
    tags = { "skiff:prefix" = "ci" }
  }

  expect_failures = [var.tags]
}
