# Each invalid input fails at plan with an error naming the variable.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  prefix   = "ci"
  name     = "ci-scale-up"
  function = { zip_path = "tests/fixtures/lambda.zip" }
  pools = [
    {
      name                = "linux"
      labels              = ["docker"]
      instance_types      = ["m7i.large", "m6i.large"]
      subnet_ids          = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
      launch_template_id  = "lt-0aaaaaaaaaaaaaaa1"
      launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1"
      role_arn            = "arn:aws:iam::123456789012:role/ci-linux-runner"
      security_group_id   = "sg-0aaaaaaaaaaaaaaa1"
      max_runners         = 20
    },
    {
      name                = "deploy"
      labels              = ["deploy"]
      architecture        = "arm64"
      capacity_type       = "on-demand"
      instance_types      = ["m7g.large"]
      subnet_ids          = ["subnet-0aaaaaaaaaaaaaaa1"]
      launch_template_id  = "lt-0bbbbbbbbbbbbbbb2"
      launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0bbbbbbbbbbbbbbb2"
      role_arn            = "arn:aws:iam::123456789012:role/ci-deploy-runner"
      security_group_id   = "sg-0bbbbbbbbbbbbbbb2"
      max_runners         = 2
      runner_level        = "org"
      runner_group_id     = 7
    },
  ]
  jobs_queue = {
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs"
  }
  state_table = {
    name = "ci-state"
    arn  = "arn:aws:dynamodb:us-east-1:123456789012:table/ci-state"
  }
  github_app = {
    id            = "123456"
    key_parameter = "/ci/github-app/key"
  }
}

run "reject_prefix_with_underscore" {
  command = plan
  variables {
    prefix = "ci_prod"
  }
  expect_failures = [var.prefix]
}

run "reject_name_too_long" {
  command = plan
  variables {
    name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  }
  expect_failures = [var.name]
}

run "reject_missing_zip" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/missing.zip" }
  }
  expect_failures = [aws_lambda_function.this]
}

run "reject_node20_runtime" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", runtime = "nodejs20.x" }
  }
  expect_failures = [var.function]
}

run "reject_unknown_architecture" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", architecture = "arm" }
  }
  expect_failures = [var.function]
}

run "reject_timeout_over_900" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", timeout = 901 }
  }
  expect_failures = [var.function]
}

run "reject_memory_over_10240" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", memory_size = 20000 }
  }
  expect_failures = [var.function]
}

run "reject_zero_reserved_concurrency" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", reserved_concurrency = 0 }
  }
  expect_failures = [var.function]
}

run "reject_log_retention_not_offered" {
  command = plan
  variables {
    logging = { retention_in_days = 2 }
  }
  expect_failures = [var.logging]
}

run "reject_unknown_log_level" {
  command = plan
  variables {
    logging = { level = "NOTICE" }
  }
  expect_failures = [var.logging]
}

run "reject_no_pools" {
  command = plan
  variables {
    pools = []
  }
  expect_failures = [var.pools]
}

run "reject_duplicate_pools" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20 }, { name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20 }]
  }
  expect_failures = [var.pools]
}

run "reject_pool_name_with_capitals" {
  command = plan
  variables {
    pools = [{ name = "Linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20 }]
  }
  expect_failures = [var.pools]
}

run "reject_invalid_label" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["no spaces"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20 }]
  }
  expect_failures = [var.pools]
}

run "reject_architecture_amd64" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20, architecture = "amd64" }]
  }
  expect_failures = [var.pools]
}

run "reject_capacity_type_reserved" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20, capacity_type = "reserved" }]
  }
  expect_failures = [var.pools]
}

run "reject_no_instance_types" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = [], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20 }]
  }
  expect_failures = [var.pools]
}

run "reject_invalid_instance_type" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20 }]
  }
  expect_failures = [var.pools]
}

run "reject_no_subnets" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = [], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20 }]
  }
  expect_failures = [var.pools]
}

run "reject_launch_template_arn_of_another_template" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0ccccccccccccccc3", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20 }]
  }
  expect_failures = [var.pools]
}

run "reject_role_arn_that_is_a_profile" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:instance-profile/ci", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20 }]
  }
  expect_failures = [var.pools]
}

run "reject_zero_max_runners" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 0 }]
  }
  expect_failures = [var.pools]
}

run "reject_unknown_spot_strategy" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20, spot_allocation_strategy = "cheapest" }]
  }
  expect_failures = [var.pools]
}

run "reject_runner_level_enterprise" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20, runner_level = "enterprise" }]
  }
  expect_failures = [var.pools]
}

run "reject_runner_group_zero" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20, runner_group_id = 0 }]
  }
  expect_failures = [var.pools]
}

run "reject_boot_timeout_too_short" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20, boot_timeout_seconds = 10 }]
  }
  expect_failures = [var.pools]
}

run "reject_max_lifetime_over_a_week" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", launch_template_arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1", role_arn = "arn:aws:iam::123456789012:role/ci-linux-runner", security_group_id = "sg-0aaaaaaaaaaaaaaa1", max_runners = 20, max_lifetime_seconds = 700000 }]
  }
  expect_failures = [var.pools]
}

run "reject_jobs_queue_arn_of_another_service" {
  command = plan
  variables {
    jobs_queue = { url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs", arn = "arn:aws:sns:us-east-1:123456789012:ci-jobs" }
  }
  expect_failures = [var.jobs_queue]
}

run "reject_queue_kms_alias" {
  command = plan
  variables {
    queue_kms_key_arn = "alias/aws/sqs"
  }
  expect_failures = [var.queue_kms_key_arn]
}

run "reject_state_table_name_not_matching_arn" {
  command = plan
  variables {
    state_table = { name = "other", arn = "arn:aws:dynamodb:us-east-1:123456789012:table/ci-state" }
  }
  expect_failures = [var.state_table]
}

run "reject_github_app_id_not_numeric" {
  command = plan
  variables {
    github_app = { id = "my-app", key_parameter = "/ci/github-app/key" }
  }
  expect_failures = [var.github_app]
}

run "reject_github_app_key_given_as_arn" {
  command = plan
  variables {
    github_app = { id = "1", key_parameter = "arn:aws:ssm:us-east-1:123456789012:parameter/ci/key" }
  }
  expect_failures = [var.github_app]
}

run "reject_github_app_key_kms_alias" {
  command = plan
  variables {
    github_app = { id = "1", key_parameter = "/ci/key", key_kms_key_arn = "alias/ssm" }
  }
  expect_failures = [var.github_app]
}

run "reject_github_api_url_over_http" {
  command = plan
  variables {
    github_app = { id = "1", key_parameter = "/ci/key", api_url = "http://github.example.com/api/v3" }
  }
  expect_failures = [var.github_app]
}

run "reject_jit_kms_alias" {
  command = plan
  variables {
    jit_kms_key_arn = "alias/jit"
  }
  expect_failures = [var.jit_kms_key_arn]
}

run "reject_negative_fresh_seconds" {
  command = plan
  variables {
    fresh_message_seconds = -1
  }
  expect_failures = [var.fresh_message_seconds]
}

run "reject_batch_size_over_10" {
  command = plan
  variables {
    event_source = { batch_size = 11 }
  }
  expect_failures = [var.event_source]
}

run "reject_batching_window_over_300" {
  command = plan
  variables {
    event_source = { maximum_batching_window_in_seconds = 301 }
  }
  expect_failures = [var.event_source]
}

run "reject_maximum_concurrency_below_2" {
  command = plan
  variables {
    event_source = { maximum_concurrency = 1 }
  }
  expect_failures = [var.event_source]
}
