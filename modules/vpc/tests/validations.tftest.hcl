# Bad inputs fail at plan with a message naming the variable.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name               = "ci"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
}

run "reject_cidr_that_is_not_a_cidr" {
  command = plan
  variables {
    cidr_block = "10.0.0.0"
  }
  expect_failures = [var.cidr_block]
}

run "reject_cidr_with_host_bits" {
  command = plan
  variables {
    cidr_block = "10.0.0.1/16"
  }
  expect_failures = [var.cidr_block]
}

run "reject_cidr_too_large" {
  command = plan
  variables {
    cidr_block = "10.0.0.0/8"
  }
  expect_failures = [var.cidr_block]
}

run "reject_cidr_too_small_for_subnets" {
  command = plan
  variables {
    cidr_block = "10.0.0.0/26"
  }
  expect_failures = [var.cidr_block]
}

run "reject_ipv6_cidr" {
  command = plan
  variables {
    cidr_block = "2001:db8::/56"
  }
  expect_failures = [var.cidr_block]
}

run "accept_a_slash_24" {
  command = plan
  variables {
    cidr_block = "192.168.10.0/24"
  }
  assert {
    condition     = aws_subnet.public["eu-west-1b"].cidr_block == "192.168.10.16/28"
    error_message = "A /24 VPC must get /28 subnets."
  }
}

run "reject_zero_azs" {
  command = plan
  variables {
    availability_zones = []
  }
  expect_failures = [var.availability_zones]
}

run "reject_seven_azs" {
  command = plan
  variables {
    availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f", "us-east-1g"]
  }
  expect_failures = [var.availability_zones]
}

run "reject_repeated_az" {
  command = plan
  variables {
    availability_zones = ["eu-west-1a", "eu-west-1a"]
  }
  expect_failures = [var.availability_zones]
}

run "reject_zone_ids" {
  command = plan
  variables {
    availability_zones = ["euw1-az1"]
  }
  expect_failures = [var.availability_zones]
}

run "reject_zones_in_two_regions" {
  command = plan
  variables {
    availability_zones = ["eu-west-1a", "eu-central-1a"]
  }
  expect_failures = [aws_vpc.this]
}

run "reject_bad_mode" {
  command = plan
  variables {
    mode = "nat"
  }
  expect_failures = [var.mode]
}

run "reject_bad_name" {
  command = plan
  variables {
    name = "ci runners"
  }
  expect_failures = [var.name]
}

run "reject_bad_flow_log_traffic_type" {
  command = plan
  variables {
    flow_logs = { enabled = true, traffic_type = "SOME" }
  }
  expect_failures = [var.flow_logs]
}

run "reject_bad_flow_log_retention" {
  command = plan
  variables {
    flow_logs = { enabled = true, retention_in_days = 10 }
  }
  expect_failures = [var.flow_logs]
}
