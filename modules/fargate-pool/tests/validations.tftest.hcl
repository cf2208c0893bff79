# Bad input fails at plan with a message naming the variable and what is allowed.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_security_group" {
    defaults = { id = "sg-0123456789abcdef0", arn = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0" }
  }
}

variables {
  prefix = "ci"
  name   = "lint"
  image  = "123456789012.dkr.ecr.us-east-1.amazonaws.com/skiff/runner:2.337.0"
  vpc_id = "vpc-0123456789abcdef0"
}

run "accepts_every_documented_edge_pair" {
  command = plan

  variables {
    cpu    = 16384
    memory = 122880
  }
}

run "reject_cpu_fargate_does_not_offer" {
  command = plan

  variables {
    cpu = 3072
  }

  expect_failures = [var.cpu]
}

run "reject_memory_not_paired_with_cpu" {
  command = plan

  variables {
    cpu    = 256
    memory = 4096
  }

  expect_failures = [aws_ecs_task_definition.this]
}

run "reject_memory_off_the_step" {
  command = plan

  variables {
    cpu    = 8192
    memory = 18432 # 18 GiB: 8 vCPU goes in steps of 4 GiB
  }

  expect_failures = [aws_ecs_task_definition.this]
}

run "reject_memory_out_of_range" {
  command = plan

  variables {
    memory = 256
  }

  expect_failures = [var.memory]
}

run "reject_ephemeral_storage_below_21" {
  command = plan

  variables {
    ephemeral_storage_gb = 20
  }

  expect_failures = [var.ephemeral_storage_gb]
}

run "reject_ephemeral_storage_above_200" {
  command = plan

  variables {
    ephemeral_storage_gb = 201
  }

  expect_failures = [var.ephemeral_storage_gb]
}

run "reject_unknown_architecture" {
  command = plan

  variables {
    architecture = "aarch64"
  }

  expect_failures = [var.architecture]
}

run "reject_image_outside_ecr" {
  command = plan

  variables {
    image = "ghcr.io/actions/actions-runner:2.337.0"
  }

  expect_failures = [var.image]
}

run "reject_image_without_tag_or_digest" {
  command = plan

  variables {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/skiff/runner"
  }

  expect_failures = [var.image]
}

run "reject_bad_prefix" {
  command = plan

  variables {
    prefix = "CI"
  }

  expect_failures = [var.prefix]
}

run "reject_bad_name" {
  command = plan

  variables {
    name = "lint_pool"
  }

  expect_failures = [var.name]
}

run "reject_bad_vpc_id" {
  command = plan

  variables {
    vpc_id = "vpc-xyz"
  }

  expect_failures = [var.vpc_id]
}

run "reject_boot_timeout_out_of_range" {
  command = plan

  variables {
    boot_timeout_seconds = 10
  }

  expect_failures = [var.boot_timeout_seconds]
}

run "reject_egress_rule_with_two_destinations" {
  command = plan

  variables {
    egress_rules = [{ description = "both", cidr_ipv4 = "0.0.0.0/0", cidr_ipv6 = "::/0" }]
  }

  expect_failures = [var.egress_rules]
}

run "reject_tcp_rule_without_ports" {
  command = plan

  variables {
    egress_rules = [{ description = "https", cidr_ipv4 = "0.0.0.0/0", ip_protocol = "tcp" }]
  }

  expect_failures = [var.egress_rules]
}

run "reject_log_retention_cloudwatch_does_not_offer" {
  command = plan

  variables {
    logs = { retention_in_days = 45 }
  }

  expect_failures = [var.logs]
}

run "reject_log_kms_key_that_is_not_an_arn" {
  command = plan

  variables {
    logs = { kms_key_arn = "alias/logs" }
  }

  expect_failures = [var.logs]
}

run "reject_jit_kms_key_that_is_not_an_arn" {
  command = plan

  variables {
    jit_kms_key_arn = "alias/jit"
  }

  expect_failures = [var.jit_kms_key_arn]
}

run "reject_bad_secret_parameter_name" {
  command = plan

  variables {
    secret_parameters = ["/shared/app key"]
  }

  expect_failures = [var.secret_parameters]
}

run "reject_bad_iam_path" {
  command = plan

  variables {
    iam = { path = "skiff" }
  }

  expect_failures = [var.iam]
}

run "reject_bad_permissions_boundary" {
  command = plan

  variables {
    iam = { permissions_boundary_arn = "ci-boundary" }
  }

  expect_failures = [var.iam]
}

run "reject_skiff_tags" {
  command = plan

  variables {
    tags = { "skiff:pool" = "lint" }
  }

  expect_failures = [var.tags]
}
