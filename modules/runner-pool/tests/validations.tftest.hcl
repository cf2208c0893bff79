# Each invalid input fails at plan with an error naming the variable.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  prefix = "ci"
  name   = "linux"
  ami_id = "ami-0123456789abcdef0"
  vpc_id = "vpc-0123456789abcdef0"
}

run "reject_prefix_with_capitals" {
  command = plan
  variables {
    prefix = "CI"
  }
  expect_failures = [var.prefix]
}

run "reject_prefix_too_long" {
  command = plan
  variables {
    prefix = "a23456789012345678901"
  }
  expect_failures = [var.prefix]
}

run "reject_pool_name_starting_with_digit" {
  command = plan
  variables {
    name = "1linux"
  }
  expect_failures = [var.name]
}

run "reject_ami_name_instead_of_id" {
  command = plan
  variables {
    ami_id = "al2023-ami-2023.6"
  }
  expect_failures = [var.ami_id]
}

run "reject_boot_timeout_below_30s" {
  command = plan
  variables {
    boot_timeout_seconds = 10
  }
  expect_failures = [var.boot_timeout_seconds]
}

run "reject_vpc_that_is_a_subnet" {
  command = plan
  variables {
    vpc_id = "subnet-0123456789abcdef0"
  }
  expect_failures = [var.vpc_id]
}

run "reject_egress_rule_with_two_destinations" {
  command = plan
  variables {
    egress_rules = [{ description = "x", cidr_ipv4 = "0.0.0.0/0", cidr_ipv6 = "::/0" }]
  }
  expect_failures = [var.egress_rules]
}

run "reject_egress_rule_with_unknown_protocol" {
  command = plan
  variables {
    egress_rules = [{ description = "x", cidr_ipv4 = "0.0.0.0/0", ip_protocol = "http" }]
  }
  expect_failures = [var.egress_rules]
}

run "reject_tcp_egress_rule_without_ports" {
  command = plan
  variables {
    egress_rules = [{ description = "x", cidr_ipv4 = "0.0.0.0/0", ip_protocol = "tcp" }]
  }
  expect_failures = [var.egress_rules]
}

run "reject_egress_rule_with_bad_cidr" {
  command = plan
  variables {
    egress_rules = [{ description = "x", cidr_ipv4 = "10.0.0.0/33" }]
  }
  expect_failures = [var.egress_rules]
}

run "reject_root_volume_too_small" {
  command = plan
  variables {
    root_volume = { size_gb = 4 }
  }
  expect_failures = [var.root_volume]
}

run "reject_root_volume_iops_below_gp3_baseline" {
  command = plan
  variables {
    root_volume = { iops = 1000 }
  }
  expect_failures = [var.root_volume]
}

run "reject_root_volume_throughput_above_iops_ratio" {
  command = plan
  variables {
    root_volume = { iops = 3000, throughput = 1000 }
  }
  expect_failures = [var.root_volume]
}

run "reject_root_volume_kms_alias" {
  command = plan
  variables {
    root_volume = { kms_key_arn = "alias/aws/ebs" }
  }
  expect_failures = [var.root_volume]
}

run "reject_root_device_name" {
  command = plan
  variables {
    root_volume = { device_name = "xvda" }
  }
  expect_failures = [var.root_volume]
}

run "reject_jit_kms_key_alias" {
  command = plan
  variables {
    jit_kms_key_arn = "alias/jit"
  }
  expect_failures = [var.jit_kms_key_arn]
}

run "reject_tags_in_the_skiff_namespace" {
  command = plan
  variables {
    tags = { "skiff:pool" = "other" }
  }
  expect_failures = [var.tags]
}
