# Bad inputs fail at plan with a message naming the variable (invariant 7). The reconcile
# ranges are those lambdas/src/scale-down/config.ts enforces at cold start. Only the
# inputs no other module checks are validated here: modules/runners validates what users
# give (prefix, pools, runtime, logging, the App, KMS keys) and modules/function the
# Lambda's limits (memory, timeout, concurrency); their tests hold those reject runs.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  prefix     = "ci"
  name       = "ci-scale-down"
  function   = { zip_path = "tests/fixtures/lambda.zip" }
  pools_json = file("../../test/fixtures/pools.json")
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

run "reject_state_table_name_not_matching_arn" {
  command = plan
  variables {
    state_table = { name = "other", arn = "arn:aws:dynamodb:us-east-1:123456789012:table/ci-state" }
  }
  expect_failures = [var.state_table]
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
