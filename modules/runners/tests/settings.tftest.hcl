# Settings fixed inside the submodules until now, set from modules/runners: function memory
# and timeouts, the jobs queue's maxReceiveCount, the reconcile period, the state table's
# PITR and deletion protection, runner disks and egress; outputs of roles and groups.

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


variables {
  prefix     = "ci"
  github_app = { id = "123456" }
  network = {
    vpc_id     = "vpc-0123456789abcdef0"
    subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"]
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
    linux = { instance_types = ["m7i.large"], max_runners = 5 }
  }
}

run "defaults_keep_the_settings_skiff_shipped_with" {
  command = plan

  assert {
    condition     = [for f in ["webhook", "scale_up", "lifecycle", "scale_down"] : [local.functions[f].memory_size, local.functions[f].timeout]] == [[256, 10], [512, 60], [256, 30], [512, 120]]
    error_message = "Without lambdas.functions, memory and timeouts must stay 256 MB/10 s, 512/60, 256/30 and 512/120."
  }

  assert {
    condition     = module.jobs_queue.max_receive_count == 5 && module.scale_down.schedule_expression == "rate(2 minutes)" && module.state.point_in_time_recovery && !module.state.deletion_protection
    error_message = "Defaults: maxReceiveCount 5, reconcile every 2 minutes, PITR on, deletion protection off."
  }

  assert {
    condition     = local.runner_pools["linux"].root_volume.iops == 3000 && local.runner_pools["linux"].root_volume.throughput == 125
    error_message = "Runner disks must default to gp3's free baseline, 3000 IOPS and 125 MiB/s."
  }
}

run "settings_reach_the_submodules" {
  command = plan

  variables {
    lambdas = {
      zip_paths = {
        webhook    = "../webhook/tests/fixtures/lambda.zip"
        scale_up   = "../scale-up/tests/fixtures/lambda.zip"
        lifecycle  = "../lifecycle/tests/fixtures/lambda.zip"
        scale_down = "../scale-down/tests/fixtures/lambda.zip"
      }
      functions = { scale_up = { memory_size = 1024, timeout = 90 }, webhook = { memory_size = 512 } }
    }
    jobs_queue  = { max_receive_count = 8 }
    reconcile   = { period_minutes = 5 }
    state_table = { point_in_time_recovery = false, deletion_protection = true }
    pools = {
      linux = {
        instance_types = ["m7i.large"], max_runners = 5, disk_iops = 6000, disk_throughput = 500
        egress_rules   = [{ description = "HTTPS", cidr_ipv4 = "0.0.0.0/0", ip_protocol = "tcp", from_port = 443, to_port = 443 }]
      }
    }
  }

  assert {
    condition     = local.functions.scale_up.memory_size == 1024 && local.functions.scale_up.timeout == 90 && local.functions.webhook.memory_size == 512 && local.functions.webhook.timeout == 10
    error_message = "lambdas.functions must set each function's memory and timeout, leaving unset ones at their defaults."
  }

  assert {
    condition     = module.jobs_queue.visibility_timeout_seconds >= 90
    error_message = "The jobs queue's visibility timeout must follow scale-up's timeout, or messages reappear while scale-up still works on them."
  }

  assert {
    condition     = module.jobs_queue.max_receive_count == 8 && module.scale_down.schedule_expression == "rate(5 minutes)" && !module.state.point_in_time_recovery && module.state.deletion_protection
    error_message = "jobs_queue.max_receive_count, reconcile.period_minutes and state_table must reach the queue, the schedule and the table."
  }

  assert {
    condition     = local.runner_pools["linux"].root_volume.iops == 6000 && local.runner_pools["linux"].root_volume.throughput == 500
    error_message = "pools[*].disk_iops and disk_throughput must reach the pool's launch template."
  }

  assert {
    condition     = output.runner_security_group_ids == { linux = module.runner_pool["linux"].security_group_id } && length(output.function_role_arns) == 4
    error_message = "The runner security groups (by pool) and the functions' role ARNs must be outputs."
  }
}

run "reconcile_every_minute_says_minute" {
  command = plan

  variables {
    reconcile = { period_minutes = 1 }
  }

  assert {
    condition     = module.scale_down.schedule_expression == "rate(1 minute)"
    error_message = "EventBridge wants rate(1 minute), singular."
  }
}

run "reject_a_webhook_timeout_api_gateway_would_cut_short" {
  command = plan

  variables {
    lambdas = { functions = { webhook = { timeout = 30 } } }
  }

  expect_failures = [var.lambdas]
}

run "reject_throughput_above_a_quarter_of_the_iops" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, disk_throughput = 1000 } }
  }

  expect_failures = [var.pools]
}

run "reject_an_egress_rule_with_two_destinations" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, egress_rules = [{ description = "x", cidr_ipv4 = "0.0.0.0/0", cidr_ipv6 = "::/0" }] } }
  }

  expect_failures = [var.pools]
}

run "reject_a_max_receive_count_of_zero" {
  command = plan

  variables {
    jobs_queue = { max_receive_count = 0 }
  }

  expect_failures = [var.jobs_queue]
}

run "reject_a_reconcile_period_over_an_hour" {
  command = plan

  variables {
    reconcile = { period_minutes = 90 }
  }

  expect_failures = [var.reconcile]
}
