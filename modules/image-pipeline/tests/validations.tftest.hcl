# Each invalid input fails at plan with an error naming the variable.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    override_during = plan
    defaults = {
      arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/codebuild/ci-image-pipeline"
    }
  }
}

variables {
  prefix            = "ci"
  source_repository = { url = "https://github.com/example/skiff.git" }
}

run "reject_prefix_with_capitals" {
  command = plan
  variables {
    prefix = "CI"
  }
  expect_failures = [var.prefix]
}

run "reject_unknown_architecture" {
  command = plan
  variables {
    architectures = ["x64"]
  }
  expect_failures = [var.architectures]
}

run "reject_repeated_architecture" {
  command = plan
  variables {
    architectures = ["arm64", "arm64"]
  }
  expect_failures = [var.architectures]
}

run "reject_ssh_source_url" {
  command = plan
  variables {
    source_repository = { url = "git@github.com:example/skiff.git" }
  }
  expect_failures = [var.source_repository]
}

run "reject_schedule_that_is_not_an_expression" {
  command = plan
  variables {
    schedule = { check_expression = "daily" }
  }
  expect_failures = [var.schedule]
}

run "reject_rebuild_later_than_githubs_window" {
  command = plan
  variables {
    schedule = { rebuild_after_days = 31 }
  }
  expect_failures = [var.schedule]
}

run "reject_keeping_a_single_image" {
  command = plan
  variables {
    keep_images = 1
  }
  expect_failures = [var.keep_images]
}

run "reject_subnet_without_vpc" {
  command = plan
  variables {
    network = { subnet_id = "subnet-0123456789abcdef0" }
  }
  expect_failures = [var.network]
}

run "reject_kms_key_id_instead_of_arn" {
  command = plan
  variables {
    kms_key_arn = "1234abcd-12ab-34cd-56ef-1234567890ab"
  }
  expect_failures = [var.kms_key_arn]
}

run "reject_packer_without_init" {
  command = plan
  variables {
    build = { packer_version = "1.6.6" }
  }
  expect_failures = [var.build]
}

run "reject_iam_boundary_that_is_not_a_policy_arn" {
  command = plan

  variables {
    iam = { permissions_boundary_arn = "arn:aws:iam::123456789012:role/boundary" }
  }

  expect_failures = [var.iam]
}

run "reject_iam_path_without_slashes_around_it" {
  command = plan

  variables {
    iam = { path = "skiff" }
  }

  expect_failures = [var.iam]
}
