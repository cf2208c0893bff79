# One runner-pool module per pool, and every Lambda told the same pools, in the same
# routing order, with that pool's launch template and role. Planned under a mocked AWS
# provider; the submodules' own tests hold their IAM least-privilege contracts.

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
  mock_resource "aws_apigatewayv2_api" {
    defaults = { id = "a1b2c3d4e5", api_endpoint = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", execution_arn = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5" }
  }
}

override_resource {
  target          = module.runner_pool["linux"].aws_launch_template.this
  override_during = plan
  values          = { id = "lt-0aaaaaaaaaaaaaaa1", arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1" }
}

override_resource {
  target          = module.runner_pool["deploy"].aws_launch_template.this
  override_during = plan
  values          = { id = "lt-0bbbbbbbbbbbbbbb2", arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0bbbbbbbbbbbbbbb2" }
}

override_resource {
  target          = module.runner_pool["linux"].aws_security_group.this
  override_during = plan
  values          = { id = "sg-0aaaaaaaaaaaaaaa1", arn = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0aaaaaaaaaaaaaaa1" }
}

override_resource {
  target          = module.runner_pool["deploy"].aws_security_group.this
  override_during = plan
  values          = { id = "sg-0bbbbbbbbbbbbbbb2", arn = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0bbbbbbbbbbbbbbb2" }
}

override_resource {
  target          = module.fargate_cluster[0].aws_ecs_cluster.this
  override_during = plan
  values          = { arn = "arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners" }
}

override_resource {
  target          = module.fargate_pool["lint"].aws_ecs_task_definition.this
  override_during = plan
  values          = { arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/ci-lint-runner:3", revision = 3 }
}

override_resource {
  target          = module.fargate_pool["lint"].aws_security_group.this
  override_during = plan
  values          = { id = "sg-0ccccccccccccccc3", arn = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0ccccccccccccccc3" }
}

override_resource {
  target          = module.fargate_pool["lint"].aws_iam_role.task
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/ci-lint-task", unique_id = "AROAEXAMPLELINTTASK01" }
}

override_resource {
  target          = module.fargate_pool["lint"].aws_iam_role.execution
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/ci-lint-task-exec" }
}

override_resource {
  target          = module.runner_pool["linux"].aws_iam_role.this
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/ci-linux-runner" }
}

override_resource {
  target          = module.runner_pool["deploy"].aws_iam_role.this
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/ci-deploy-runner" }
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
  # Declared linux first: routing order is still by name, deploy first.
  pools = {
    lint = {
      target               = "fargate"
      labels               = ["lint"]
      max_runners          = 10
      image                = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ci/skiff-runner:2.337.0-x86_64"
      cpu                  = 1024
      memory               = 4096
      ephemeral_storage_gb = 40
      assign_public_ip     = true
    }
    linux = {
      labels                   = ["docker"]
      instance_types           = ["m7i.large", "m6i.large"]
      max_runners              = 20
      spot_allocation_strategy = "capacity-optimized"
    }
    deploy = {
      labels                      = ["deploy"]
      architecture                = "arm64"
      capacity_type               = "on-demand"
      on_demand_fallback          = false
      instance_types              = ["m7g.large"]
      max_runners                 = 2
      runner_level                = "org"
      runner_group                = "deploy-runners"
      boot_timeout_seconds        = 600
      max_lifetime_seconds        = 3600
      interrupted_retry_on_demand = false
      ami                         = { ssm_parameter = "resolve:ssm:/ci/runner-ami-arm64" }
      baked_ami                   = true
      disk_size_gb                = 50
    }
  }
}

run "each_pool_gets_its_own_launch_template_security_group_and_role" {
  command = plan

  assert {
    condition     = toset(keys(module.runner_pool)) == toset(["linux", "deploy"]) && toset(keys(module.fargate_pool)) == toset(["lint"])
    error_message = "There must be one runner-pool module per EC2 pool and one fargate-pool module per Fargate pool, keyed by pool name."
  }

  assert {
    condition     = module.runner_pool["linux"].role_name == "ci-linux-runner" && module.runner_pool["deploy"].role_name == "ci-deploy-runner"
    error_message = "Each pool must get its own instance role, <prefix>-<pool>-runner."
  }

  assert {
    condition     = module.runner_pool["linux"].security_group_id == "sg-0aaaaaaaaaaaaaaa1" && module.runner_pool["deploy"].security_group_id == "sg-0bbbbbbbbbbbbbbb2"
    error_message = "Each pool must get its own security group."
  }

  assert {
    condition     = output.launch_template_ids == { linux = "lt-0aaaaaaaaaaaaaaa1", deploy = "lt-0bbbbbbbbbbbbbbb2" }
    error_message = "launch_template_ids must map each pool name to its own launch template's ID."
  }

  assert {
    condition     = output.runner_role_arns == { linux = "arn:aws:iam::123456789012:role/ci-linux-runner", deploy = "arn:aws:iam::123456789012:role/ci-deploy-runner", lint = "arn:aws:iam::123456789012:role/ci-lint-task" }
    error_message = "runner_role_arns must map each pool name to the role its runners hold: an EC2 pool's instance role, a Fargate pool's task role."
  }
}

run "ami_defaults_to_amazon_linux_2023_of_the_pool_architecture_with_the_bootstrap_embedded" {
  command = plan

  assert {
    condition     = data.aws_ssm_parameter.ami["linux"].name == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    error_message = "A pool without ami must use the Amazon Linux 2023 public parameter of its architecture (x86_64 for x64)."
  }

  assert {
    condition     = data.aws_ssm_parameter.ami["deploy"].name == "/ci/runner-ami-arm64"
    error_message = "ami.ssm_parameter must be read without its resolve:ssm: prefix."
  }

  assert {
    condition     = local.runner_pools["linux"].ami_id == "ami-0123456789abcdef0" && local.runner_pools["deploy"].ami_id == "ami-0123456789abcdef0"
    error_message = "The runner pool must boot the AMI ID the parameter holds."
  }

  assert {
    condition     = local.runner_pools["linux"].embed_bootstrap && !local.runner_pools["deploy"].embed_bootstrap
    error_message = "A stock-AMI pool must embed the bootstrap in its user data; a baked_ami pool must not."
  }

  assert {
    condition     = local.runner_pools["linux"].root_volume.size_gb == 30 && local.runner_pools["deploy"].root_volume.size_gb == 50
    error_message = "disk_size_gb must size the root volume (default 30)."
  }
}

run "every_lambda_gets_the_one_pools_json_in_routing_order" {
  command = plan

  assert {
    condition     = output.pool_order == tolist(["deploy", "lint", "linux"])
    error_message = "pool_order must list the pools by name, the routing order."
  }

  # The contract across languages: these inputs must produce exactly the committed
  # fixture, which test/contract.test.ts parses with lambdas/src/shared/pools.ts. A pool
  # field added on one side and not the other fails here or there.
  assert {
    condition     = jsondecode(local.pools_json) == jsondecode(file("../../test/fixtures/pools.json"))
    error_message = "The pools JSON must equal test/fixtures/pools.json for these inputs: every pool with its target and the camelCase keys parsePools reads for it (an EC2 pool its own launch template, a Fargate pool the cluster, its task definition ARN, security group and task role's unique ID), the network's subnets, in routing order (by name)."
  }

  assert {
    condition = local.runners == {
      role_arns          = ["arn:aws:iam::123456789012:role/ci-deploy-runner", "arn:aws:iam::123456789012:role/ci-linux-runner"]
      security_group_ids = ["sg-0bbbbbbbbbbbbbbb2", "sg-0aaaaaaaaaaaaaaa1"]
      fargate_role_arns  = ["arn:aws:iam::123456789012:role/ci-lint-task", "arn:aws:iam::123456789012:role/ci-lint-task-exec"]
    }
    error_message = "scale-up must get each EC2 pool's runner role (to pass exactly these to EC2) and security group, and each Fargate pool's task and execution roles (to pass to ECS), in routing order."
  }
}

run "org_pools_join_the_runner_group_they_name" {
  command = plan

  variables {
    pools = {
      named   = { labels = ["a"], instance_types = ["m7i.large"], max_runners = 2, runner_level = "org", runner_group = "skiff-ci" }
      by-id   = { labels = ["b"], instance_types = ["m7i.large"], max_runners = 2, runner_level = "org", runner_group = "42" }
      default = { labels = ["c"], instance_types = ["m7i.large"], max_runners = 2, runner_level = "org", runner_group = "Default" }
      repo    = { labels = ["d"], instance_types = ["m7i.large"], max_runners = 2 }
    }
  }

  assert {
    condition = { for p in jsondecode(local.pools_json) : p.name => [p.runnerLevel, p.runnerGroupId, p.runnerGroupName] } == {
      named   = ["org", null, "skiff-ci"]
      by-id   = ["org", 42, null]
      default = ["org", 1, null]
      repo    = ["repo", 1, null]
    }
    error_message = "runnerGroupId must be the group's ID when the module knows it (a numeric runner_group, 1 for a stated \"Default\" and for repository runners), else null with runnerGroupName for the Lambdas to resolve."
  }
}

run "warm_pools_tell_the_lambdas_how_many_runners_wait_and_when" {
  command = plan

  variables {
    pools = {
      warm = {
        labels         = ["a"]
        instance_types = ["m7i.large"]
        max_runners    = 10
        runner_level   = "org"
        runner_group   = "skiff-ci"
        warm = {
          idle         = 4
          organization = "acme"
          schedule     = [{ cron = "* 7-18 * * mon-fri", timezone = "Europe/Berlin" }]
        }
      }
      cold = { labels = ["b"], instance_types = ["m7i.large"], max_runners = 2 }
    }
  }

  assert {
    condition = { for p in jsondecode(local.pools_json) : p.name => try(p.warm, null) } == {
      warm = { idle = 4, organization = "acme", maxIdleSeconds = 14400, schedule = [{ cron = "* 7-18 * * mon-fri", timezone = "Europe/Berlin" }] }
      cold = null
    }
    error_message = "A warm pool's pools JSON must carry warm { idle, organization, maxIdleSeconds (default 14400), schedule }; a pool without warm must carry no warm key."
  }
}
