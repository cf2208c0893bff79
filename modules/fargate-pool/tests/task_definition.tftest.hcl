# The task definition and the security group under a mocked AWS provider: what a task
# starts with, and that none of it is a secret.

mock_provider "aws" {
  override_during = plan

  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_security_group" {
    defaults = { id = "sg-0123456789abcdef0", arn = "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock", unique_id = "AROAEXAMPLETASKROLE01" }
  }
}

variables {
  prefix = "ci"
  name   = "lint"
  image  = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/skiff/runner:2.337.0"
  vpc_id = "vpc-0123456789abcdef0"
}

run "fargate_awsvpc_task_with_one_runner_container_and_no_secret" {
  command = plan

  assert {
    condition     = aws_ecs_task_definition.this.family == "ci-lint-runner" && aws_ecs_task_definition.this.requires_compatibilities == toset(["FARGATE"]) && aws_ecs_task_definition.this.network_mode == "awsvpc"
    error_message = "The pool's task definition must be <prefix>-<name>-runner, Fargate only, awsvpc."
  }

  assert {
    condition     = aws_ecs_task_definition.this.cpu == "1024" && aws_ecs_task_definition.this.memory == "4096" && length(aws_ecs_task_definition.this.ephemeral_storage) == 0
    error_message = "By default a task has 1 vCPU, 4 GiB and Fargate's included 20 GiB of storage."
  }

  assert {
    condition     = aws_ecs_task_definition.this.runtime_platform[0].cpu_architecture == "X86_64" && aws_ecs_task_definition.this.runtime_platform[0].operating_system_family == "LINUX"
    error_message = "The default architecture is x86_64 Linux."
  }

  assert {
    condition     = length(jsondecode(aws_ecs_task_definition.this.container_definitions)) == 1 && jsondecode(aws_ecs_task_definition.this.container_definitions)[0].name == "runner" && jsondecode(aws_ecs_task_definition.this.container_definitions)[0].image == var.image && jsondecode(aws_ecs_task_definition.this.container_definitions)[0].essential
    error_message = "The task has exactly one essential container, runner, running the given image."
  }

  assert {
    condition = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment == [
      { name = "SKIFF_BOOT_TIMEOUT", value = "300" },
      { name = "SKIFF_POOL", value = "lint" },
      { name = "SKIFF_PREFIX", value = "ci" },
    ]
    error_message = "The container's environment is configuration only (prefix, pool, boot timeout): the JIT config never goes into the task definition."
  }

  assert {
    condition     = !can(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].secrets) && !can(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environmentFiles) && !strcontains(aws_ecs_task_definition.this.container_definitions, "/jit/")
    error_message = "No secrets, no environment files, no JIT parameter in the task definition (invariant 6)."
  }

  assert {
    condition = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].logConfiguration == {
      logDriver = "awslogs"
      options   = { "awslogs-group" = "/skiff/ci/lint", "awslogs-region" = "eu-west-1", "awslogs-stream-prefix" = "runner" }
    }
    error_message = "The container logs to the pool's own log group with the awslogs driver."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].linuxParameters.initProcessEnabled && jsondecode(aws_ecs_task_definition.this.container_definitions)[0].stopTimeout == 120
    error_message = "An init process reaps job leftovers and forwards SIGTERM; the runner gets Fargate's maximum stop timeout, 120 s."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/skiff/ci/lint" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "The pool's log group is /skiff/<prefix>/<name> with a retention."
  }

  assert {
    condition     = output.spot_supported
    error_message = "An x86_64 pool can run on Fargate Spot."
  }
}

run "arm64_with_more_storage_and_a_large_size" {
  command = plan

  variables {
    architecture         = "arm64"
    cpu                  = 8192
    memory               = 20480
    ephemeral_storage_gb = 100
    boot_timeout_seconds = 120
  }

  assert {
    condition     = aws_ecs_task_definition.this.runtime_platform[0].cpu_architecture == "ARM64" && aws_ecs_task_definition.this.cpu == "8192" && aws_ecs_task_definition.this.memory == "20480"
    error_message = "architecture and size reach the task definition."
  }

  assert {
    condition     = aws_ecs_task_definition.this.ephemeral_storage[0].size_in_gib == 100
    error_message = "ephemeral_storage_gb sets the task's ephemeral storage."
  }

  assert {
    condition     = !output.spot_supported
    error_message = "Fargate Spot runs x86_64 tasks only: an arm64 pool must say so to scale-up."
  }

  assert {
    condition     = contains(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment, { name = "SKIFF_BOOT_TIMEOUT", value = "120" })
    error_message = "boot_timeout_seconds reaches the entrypoint."
  }
}

run "security_group_is_egress_only" {
  command = plan

  variables {
    egress_rules = [
      { description = "HTTPS out", cidr_ipv4 = "0.0.0.0/0", ip_protocol = "tcp", from_port = 443, to_port = 443 },
    ]
  }

  assert {
    condition     = length(aws_security_group.this.ingress) == 0 && aws_security_group.this.vpc_id == "vpc-0123456789abcdef0" && aws_security_group.this.name == "ci-lint-task"
    error_message = "The tasks' security group has no ingress rule."
  }

  assert {
    condition     = length(aws_vpc_security_group_egress_rule.this) == 1 && aws_vpc_security_group_egress_rule.this["0"].from_port == 443 && aws_vpc_security_group_egress_rule.this["0"].ip_protocol == "tcp"
    error_message = "egress_rules become the group's only egress rules."
  }
}
