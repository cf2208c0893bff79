# Bad inputs fail at plan with a message naming the variable (invariant 7). The reconcile
# ranges are those lambdas/src/scale-down/config.ts enforces at cold start.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  prefix   = "ci"
  name     = "ci-scale-down"
  function = { zip_path = "tests/fixtures/lambda.zip" }
  pools = [
    {
      name               = "linux"
      labels             = ["docker"]
      instance_types     = ["m7i.large", "m6i.large"]
      subnet_ids         = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
      launch_template_id = "lt-0aaaaaaaaaaaaaaa1"
      max_runners        = 20
    },
    {
      name                 = "deploy"
      labels               = ["deploy"]
      architecture         = "arm64"
      capacity_type        = "on-demand"
      instance_types       = ["m7g.large"]
      subnet_ids           = ["subnet-0aaaaaaaaaaaaaaa1"]
      launch_template_id   = "lt-0bbbbbbbbbbbbbbb2"
      max_runners          = 2
      runner_level         = "org"
      runner_group_id      = 7
      boot_timeout_seconds = 600
      max_lifetime_seconds = 3600
    },
  ]
  jobs_queue = {
    url     = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
    arn     = "arn:aws:sqs:us-east-1:123456789012:ci-jobs"
    dlq_url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs-dlq"
    dlq_arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs-dlq"
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

run "reject_prefix_with_upper_case" {
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

run "reject_name_with_spaces" {
  command = plan
  variables {
    name = "ci scale-down"
  }
  expect_failures = [var.name]
}

run "reject_runtime_node20" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", runtime = "nodejs20.x" }
  }
  expect_failures = [var.function]
}

run "reject_architecture_amd64" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", architecture = "amd64" }
  }
  expect_failures = [var.function]
}

run "reject_memory_below_128" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", memory_size = 64 }
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

run "reject_log_level_verbose" {
  command = plan
  variables {
    logging = { level = "VERBOSE" }
  }
  expect_failures = [var.logging]
}

run "reject_retention_of_10_days" {
  command = plan
  variables {
    logging = { retention_in_days = 10 }
  }
  expect_failures = [var.logging]
}

run "reject_log_kms_alias" {
  command = plan
  variables {
    logging = { kms_key_arn = "alias/logs" }
  }
  expect_failures = [var.logging]
}

run "reject_metrics_namespace_with_spaces" {
  command = plan
  variables {
    logging = { metrics_namespace = "my namespace" }
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

run "reject_pool_named_twice" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", max_runners = 20 }, { name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", max_runners = 20 }]
  }
  expect_failures = [var.pools]
}

run "reject_pool_name_upper_case" {
  command = plan
  variables {
    pools = [{ name = "Linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", max_runners = 20 }]
  }
  expect_failures = [var.pools]
}

run "reject_label_with_space" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["my label"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", max_runners = 20 }]
  }
  expect_failures = [var.pools]
}

run "reject_architecture_x86" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", max_runners = 20, architecture = "x86" }]
  }
  expect_failures = [var.pools]
}

run "reject_capacity_type_reserved" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", max_runners = 20, capacity_type = "reserved" }]
  }
  expect_failures = [var.pools]
}

run "reject_instance_type_without_size" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", max_runners = 20 }]
  }
  expect_failures = [var.pools]
}

run "reject_subnet_not_an_id" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["my-subnet"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", max_runners = 20 }]
  }
  expect_failures = [var.pools]
}

run "reject_launch_template_not_an_id" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "my-template", max_runners = 20 }]
  }
  expect_failures = [var.pools]
}

run "reject_max_runners_zero" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", max_runners = 0 }]
  }
  expect_failures = [var.pools]
}

run "reject_spot_strategy_unknown" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", max_runners = 20, spot_allocation_strategy = "cheapest" }]
  }
  expect_failures = [var.pools]
}

run "reject_runner_level_enterprise" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", max_runners = 20, runner_level = "enterprise" }]
  }
  expect_failures = [var.pools]
}

run "reject_runner_group_zero" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", max_runners = 20, runner_group_id = 0 }]
  }
  expect_failures = [var.pools]
}

run "reject_boot_timeout_too_short" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", max_runners = 20, boot_timeout_seconds = 10 }]
  }
  expect_failures = [var.pools]
}

run "reject_max_lifetime_over_a_week" {
  command = plan
  variables {
    pools = [{ name = "linux", labels = ["docker"], instance_types = ["m7i.large"], subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], launch_template_id = "lt-0aaaaaaaaaaaaaaa1", max_runners = 20, max_lifetime_seconds = 700000 }]
  }
  expect_failures = [var.pools]
}

run "reject_jobs_dlq_url_over_http" {
  command = plan
  variables {
    jobs_queue = { url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs", arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs", dlq_url = "http://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs-dlq", dlq_arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs-dlq" }
  }
  expect_failures = [var.jobs_queue]
}

run "reject_jobs_dlq_arn_not_an_arn" {
  command = plan
  variables {
    jobs_queue = { url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs", arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs", dlq_url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs-dlq", dlq_arn = "ci-jobs-dlq" }
  }
  expect_failures = [var.jobs_queue]
}

run "reject_jobs_queue_arn_of_another_service" {
  command = plan
  variables {
    jobs_queue = { url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs", arn = "arn:aws:sns:us-east-1:123456789012:ci-jobs", dlq_url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs-dlq", dlq_arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs-dlq" }
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

run "reject_negative_max_requeues" {
  command = plan
  variables {
    max_requeues = -1
  }
  expect_failures = [var.max_requeues]
}

run "reject_max_requeues_over_20" {
  command = plan
  variables {
    max_requeues = 21
  }
  expect_failures = [var.max_requeues]
}

run "reject_reserved_concurrency_zero" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", reserved_concurrency = 0 }
  }
  expect_failures = [var.function]
}

run "reject_reserved_concurrency_fraction" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/lambda.zip", reserved_concurrency = 1.5 }
  }
  expect_failures = [var.function]
}

run "reject_name_too_long_for_rule_name" {
  command = plan
  variables {
    name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  }
  expect_failures = [var.name]
}

run "reject_schedule_cron" {
  command = plan
  variables {
    schedule_expression = "cron(0/2 * * * ? *)"
  }
  expect_failures = [var.schedule_expression]
}

run "reject_schedule_one_minutes" {
  command = plan
  variables {
    schedule_expression = "rate(1 minutes)"
  }
  expect_failures = [var.schedule_expression]
}

run "reject_schedule_two_minute" {
  command = plan
  variables {
    schedule_expression = "rate(2 minute)"
  }
  expect_failures = [var.schedule_expression]
}

run "reject_schedule_over_an_hour" {
  command = plan
  variables {
    schedule_expression = "rate(61 minutes)"
  }
  expect_failures = [var.schedule_expression]
}

run "reject_schedule_zero_minutes" {
  command = plan
  variables {
    schedule_expression = "rate(0 minutes)"
  }
  expect_failures = [var.schedule_expression]
}

run "reject_schedule_in_seconds" {
  command = plan
  variables {
    schedule_expression = "rate(30 seconds)"
  }
  expect_failures = [var.schedule_expression]
}

run "reject_list_runners_every_zero" {
  command = plan
  variables {
    reconcile = { list_runners_every = 0 }
  }
  expect_failures = [var.reconcile]
}

run "reject_list_runners_every_over_1000" {
  command = plan
  variables {
    reconcile = { list_runners_every = 1001 }
  }
  expect_failures = [var.reconcile]
}

run "reject_redeliver_every_zero" {
  command = plan
  variables {
    reconcile = { redeliver_every = 0 }
  }
  expect_failures = [var.reconcile]
}

run "reject_redeliver_every_fraction" {
  command = plan
  variables {
    reconcile = { redeliver_every = 2.5 }
  }
  expect_failures = [var.reconcile]
}

run "reject_redeliver_max_negative" {
  command = plan
  variables {
    reconcile = { redeliver_max = -1 }
  }
  expect_failures = [var.reconcile]
}

run "reject_redeliver_max_over_100" {
  command = plan
  variables {
    reconcile = { redeliver_max = 101 }
  }
  expect_failures = [var.reconcile]
}

run "reject_redeliver_window_under_a_minute" {
  command = plan
  variables {
    reconcile = { redeliver_window_seconds = 59 }
  }
  expect_failures = [var.reconcile]
}

run "reject_redeliver_window_over_3_days" {
  command = plan
  variables {
    reconcile = { redeliver_window_seconds = 259201 }
  }
  expect_failures = [var.reconcile]
}

run "reject_done_grace_negative" {
  command = plan
  variables {
    reconcile = { done_grace_seconds = -1 }
  }
  expect_failures = [var.reconcile]
}

run "reject_done_grace_over_an_hour" {
  command = plan
  variables {
    reconcile = { done_grace_seconds = 3601 }
  }
  expect_failures = [var.reconcile]
}

run "reject_orphan_grace_under_30" {
  command = plan
  variables {
    reconcile = { orphan_grace_seconds = 29 }
  }
  expect_failures = [var.reconcile]
}

run "reject_orphan_grace_over_an_hour" {
  command = plan
  variables {
    reconcile = { orphan_grace_seconds = 3601 }
  }
  expect_failures = [var.reconcile]
}

run "reject_missing_zip" {
  command = plan
  variables {
    function = { zip_path = "tests/fixtures/missing.zip" }
  }
  expect_failures = [aws_lambda_function.this]
}

run "accept_every_range_edge" {
  command = plan
  variables {
    schedule_expression = "rate(60 minutes)"
    reconcile = {
      list_runners_every       = 1000
      redeliver_every          = 1
      redeliver_max            = 100
      redeliver_window_seconds = 259200
      done_grace_seconds       = 3600
      orphan_grace_seconds     = 30
    }
  }
}
