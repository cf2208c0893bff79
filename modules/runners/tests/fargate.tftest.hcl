# Fargate pools in the main module: what a target = "fargate" pool creates and tells the
# Lambdas, that nothing of it exists without one, and the plan-time refusals of what a
# Fargate pool cannot be. Planned under a mocked AWS provider; the real IAM policy JSON is
# asserted in modules/scale-up and modules/scale-down (tests/iam.tftest.hcl), with the
# Fargate pool of test/fixtures/pools.json.

mock_provider "aws" {
  override_during = plan

  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_ssm_parameter" {
    defaults = { insecure_value = "ami-0123456789abcdef0", value = "ami-0123456789abcdef0" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:us-east-1:123456789012:mock", id = "https://sqs.us-east-1.amazonaws.com/123456789012/mock" }
  }
  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/ci-state" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
  }
  mock_resource "aws_security_group" {
    defaults = { id = "sg-0123456789abcdef0", arn = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0" }
  }
  mock_resource "aws_launch_template" {
    defaults = { id = "lt-0123456789abcdef0", arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0123456789abcdef0" }
  }
  mock_resource "aws_ecs_cluster" {
    defaults = { arn = "arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners" }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/ci-lint-runner:1", revision = 1 }
  }
  mock_resource "aws_apigatewayv2_api" {
    defaults = { id = "a1b2c3d4e5", api_endpoint = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", execution_arn = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5" }
  }
}

variables {
  prefix     = "ci"
  github_app = { id = "123456" }
  network = {
    vpc_id     = "vpc-0123456789abcdef0"
    subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  }
  lambdas = {
    zip_paths = {
      webhook    = "../webhook/tests/fixtures/lambda.zip"
      scale_up   = "../scale-up/tests/fixtures/lambda.zip"
      lifecycle  = "../lifecycle/tests/fixtures/lambda.zip"
      scale_down = "../scale-down/tests/fixtures/lambda.zip"
    }
  }
  pools = {
    linux = { labels = ["docker"], instance_types = ["m7i.large"], max_runners = 5 }
    lint  = { target = "fargate", labels = ["lint"], max_runners = 10, image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ci/skiff-runner:2.337.0-x86_64" }
  }
}

run "no_fargate_resources_without_a_fargate_pool" {
  command = plan

  variables {
    pools = {
      linux = { labels = ["docker"], instance_types = ["m7i.large"], max_runners = 5 }
    }
  }

  assert {
    condition     = length(module.fargate_cluster) == 0 && length(module.fargate_pool) == 0 && output.fargate_cluster_arn == null && output.task_definition_arns == {}
    error_message = "Without a Fargate pool there must be no cluster and no task definition."
  }

  assert {
    condition     = length(module.lifecycle.eventbridge_rule_arns) == 2 && !contains(keys(module.lifecycle.eventbridge_rule_names), "task_state_change")
    error_message = "Without a Fargate pool there must be no ECS task state rule, and the lifecycle queue admits the two EC2 rules only."
  }

  assert {
    condition     = alltrue([for p in jsondecode(local.pools_json) : p.target == "ec2"])
    error_message = "Every pool of the pools JSON must carry its target."
  }
}

run "a_fargate_pool_gets_the_cluster_its_task_definition_and_the_task_rule" {
  command = plan

  assert {
    condition     = length(module.fargate_cluster) == 1 && keys(module.fargate_pool) == ["lint"] && keys(module.runner_pool) == ["linux"]
    error_message = "One cluster for all Fargate pools, one fargate-pool module per Fargate pool, and runner-pool modules for EC2 pools only."
  }

  assert {
    condition     = length(module.lifecycle.eventbridge_rule_arns) == 3 && module.lifecycle.eventbridge_rule_names.task_state_change == "ci-lifecycle-task-state-change"
    error_message = "A Fargate pool must add the ECS task state rule, which the lifecycle queue's policy admits and the dashboard alarms on."
  }

  assert {
    condition = one([for p in jsondecode(local.pools_json) : p if p.name == "lint"]) == {
      name                     = "lint"
      target                   = "fargate"
      labels                   = ["lint"]
      architecture             = "x64"
      capacityType             = "spot"
      onDemandFallback         = true
      subnetIds                = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
      maxRunners               = 10
      runnerLevel              = "repo"
      runnerGroupId            = 1
      runnerGroupName          = null
      bootTimeoutSeconds       = 300
      maxLifetimeSeconds       = 21600
      interruptedRetryOnDemand = true
      cluster                  = "arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners"
      taskDefinition           = "arn:aws:ecs:us-east-1:123456789012:task-definition/ci-lint-runner:1"
      securityGroupIds         = ["sg-0123456789abcdef0"]
      assignPublicIp           = false
      cpu                      = 2048
      memory                   = 8192
      ephemeralStorageGb       = 20
      taskRoleId               = module.fargate_pool["lint"].task_role_unique_id
    }
    error_message = "A Fargate pool's JSON must carry the cluster and task definition ARNs, its security group, its task role's unique ID and its size: by default 2048 CPU units, 4 x cpu MiB, Fargate's included 20 GiB and no public IP in an existing network."
  }

  assert {
    condition     = length(local.runners.fargate_role_arns) == 2 && length(local.runners.role_arns) == 1
    error_message = "scale-up may pass the Fargate pool's task and execution roles to ECS, and the EC2 pool's role to EC2."
  }
}

run "arm64_on_demand_pool_with_its_own_size_in_a_new_public_vpc" {
  command = plan

  variables {
    network = { create_vpc = { availability_zones = ["us-east-1a", "us-east-1b"] } }
    pools = {
      linux = { labels = ["docker"], instance_types = ["m7i.large"], max_runners = 5 }
      arm = {
        target               = "fargate"
        labels               = ["fargate"]
        architecture         = "arm64"
        capacity_type        = "on-demand"
        max_runners          = 3
        image                = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ci/skiff-runner@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        cpu                  = 4096
        memory               = 30720
        ephemeral_storage_gb = 100
      }
    }
  }

  assert {
    condition = [for p in [local.fargate_pools["arm"]] : [p.architecture, p.capacity_type, p.cpu, p.memory, p.ephemeral_storage_gb, p.assign_public_ip]] == [
      ["arm64", "on-demand", 4096, 30720, 100, true],
    ]
    error_message = "The pool's architecture, capacity and size must reach the Lambdas; in modules/vpc's public subnets a task needs a public IP (Fargate ignores map_public_ip_on_launch)."
  }

  assert {
    condition     = !module.fargate_pool["arm"].spot_supported
    error_message = "An arm64 pool's task definition must be ARM64 (fargate-pool's architecture \"arm64\")."
  }
}

run "accepts_fargates_smallest_and_largest_sizes" {
  command = plan

  variables {
    pools = {
      small = { target = "fargate", labels = ["small"], max_runners = 1, image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:1", cpu = 256, memory = 512 }
      large = { target = "fargate", labels = ["large"], max_runners = 1, image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:1", cpu = 16384, memory = 122880, ephemeral_storage_gb = 200 }
    }
  }

  assert {
    condition     = length(module.runner_pool) == 0 && length(module.fargate_pool) == 2
    error_message = "A deployment of Fargate pools only needs no runner-pool module."
  }
}

run "reject_unknown_target" {
  command = plan

  variables {
    pools = { linux = { target = "lambda", labels = ["docker"], instance_types = ["m7i.large"], max_runners = 5 } }
  }

  expect_failures = [var.pools]
}

run "reject_ec2_pool_without_instance_types" {
  command = plan

  variables {
    pools = { linux = { labels = ["docker"], max_runners = 5 } }
  }

  expect_failures = [var.pools]
}

run "reject_ec2_attributes_on_a_fargate_pool" {
  command = plan

  variables {
    pools = {
      lint = { target = "fargate", labels = ["lint"], max_runners = 10, image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:1", instance_types = ["m7i.large"], disk_size_gb = 30 }
    }
  }

  expect_failures = [var.pools]
}

run "reject_warm_runners_on_a_fargate_pool" {
  command = plan

  variables {
    pools = {
      lint = {
        target       = "fargate", labels = ["lint"], max_runners = 10, image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:1"
        runner_level = "org", runner_group = "skiff", warm = { idle = 1, organization = "acme" }
      }
    }
  }

  expect_failures = [var.pools]
}

run "reject_fargate_attributes_on_an_ec2_pool" {
  command = plan

  variables {
    pools = { linux = { labels = ["docker"], instance_types = ["m7i.large"], max_runners = 5, cpu = 1024 } }
  }

  expect_failures = [var.pools]
}

run "reject_fargate_pool_without_image" {
  command = plan

  variables {
    pools = { lint = { target = "fargate", labels = ["lint"], max_runners = 10 } }
  }

  expect_failures = [var.pools]
}

run "reject_image_outside_ecr" {
  command = plan

  variables {
    pools = { lint = { target = "fargate", labels = ["lint"], max_runners = 10, image = "ghcr.io/acme/runner:latest" } }
  }

  expect_failures = [var.pools]
}

run "reject_cpu_fargate_does_not_offer" {
  command = plan

  variables {
    pools = { lint = { target = "fargate", labels = ["lint"], max_runners = 10, image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:1", cpu = 3072, memory = 8192 } }
  }

  expect_failures = [var.pools]
}

run "reject_memory_not_paired_with_cpu" {
  command = plan

  variables {
    pools = { lint = { target = "fargate", labels = ["lint"], max_runners = 10, image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:1", cpu = 256, memory = 4096 } }
  }

  expect_failures = [var.pools]
}

run "reject_memory_off_the_step" {
  command = plan

  variables {
    # 18 GiB: 8 vCPU goes in steps of 4 GiB.
    pools = { lint = { target = "fargate", labels = ["lint"], max_runners = 10, image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:1", cpu = 8192, memory = 18432 } }
  }

  expect_failures = [var.pools]
}

run "reject_ephemeral_storage_above_200" {
  command = plan

  variables {
    pools = { lint = { target = "fargate", labels = ["lint"], max_runners = 10, image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:1", ephemeral_storage_gb = 201 } }
  }

  expect_failures = [var.pools]
}

run "reject_arm64_fargate_pool_on_spot" {
  command = plan

  variables {
    # capacity_type defaults to spot, which Fargate does not offer for arm64.
    pools = { lint = { target = "fargate", labels = ["lint"], architecture = "arm64", max_runners = 10, image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:1" } }
  }

  expect_failures = [var.pools]
}

run "longest_prefix_and_pool_name_fit_the_roles_iam_names" {
  command = plan

  variables {
    prefix = "skiff-production-eu1"
    pools  = { lint-and-format-checks-on-fargat = { target = "fargate", labels = ["lint"], max_runners = 10, image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:1" } }
  }

  override_resource {
    target          = module.state.aws_dynamodb_table.this
    override_during = plan
    values          = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/skiff-production-eu1-state" }
  }

  assert {
    condition     = length(module.fargate_pool) == 1
    error_message = "A 20-character prefix and a 32-character pool name must plan: the pool's longest name, <prefix>-<pool>-task-exec, is 63 characters."
  }
}
