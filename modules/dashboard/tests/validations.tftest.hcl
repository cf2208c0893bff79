# Bad inputs fail at plan with a message naming the variable.

mock_provider "aws" {}

variables {
  prefix = "ci"
  region = "eu-west-1"
  function_names = {
    webhook    = "ci-webhook"
    scale_up   = "ci-scale-up"
    scale_down = "ci-scale-down"
    lifecycle  = "ci-lifecycle"
  }
  queues = {
    jobs_queue_name      = "ci-jobs"
    jobs_dlq_name        = "ci-jobs-dlq"
    lifecycle_queue_name = "ci-lifecycle"
    lifecycle_dlq_name   = "ci-lifecycle-dlq"
  }
}

run "reject_bad_prefix" {
  command = plan
  variables {
    prefix = "ci runners"
  }
  expect_failures = [var.prefix]
}

run "reject_bad_region" {
  command = plan
  variables {
    region = "eu-west-1a"
  }
  expect_failures = [var.region]
}

run "reject_function_arn" {
  command = plan
  variables {
    function_names = {
      webhook    = "arn:aws:lambda:eu-west-1:123456789012:function:ci-webhook"
      scale_up   = "ci-scale-up"
      scale_down = "ci-scale-down"
      lifecycle  = "ci-lifecycle"
    }
  }
  expect_failures = [var.function_names]
}

run "reject_queue_url" {
  command = plan
  variables {
    queues = {
      jobs_queue_name      = "https://sqs.eu-west-1.amazonaws.com/123456789012/ci-jobs"
      jobs_dlq_name        = "ci-jobs-dlq"
      lifecycle_queue_name = "ci-lifecycle"
      lifecycle_dlq_name   = "ci-lifecycle-dlq"
    }
  }
  expect_failures = [var.queues]
}

run "reject_bad_api_id" {
  command = plan
  variables {
    api_id = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
  }
  expect_failures = [var.api_id]
}

run "reject_duplicate_pools" {
  command = plan
  variables {
    pool_names = ["linux", "linux"]
  }
  expect_failures = [var.pool_names]
}

run "reject_non_sns_alarm_action" {
  command = plan
  variables {
    alarm_actions = ["arn:aws:lambda:eu-west-1:123456789012:function:pager"]
  }
  expect_failures = [var.alarm_actions]
}

run "reject_period_not_in_minutes" {
  command = plan
  variables {
    thresholds = { period_seconds = 90 }
  }
  expect_failures = [var.thresholds]
}

run "reject_zero_evaluation_periods" {
  command = plan
  variables {
    thresholds = { evaluation_periods = 0 }
  }
  expect_failures = [var.thresholds]
}

run "reject_negative_threshold" {
  command = plan
  variables {
    thresholds = { spot_fallbacks = -1 }
  }
  expect_failures = [var.thresholds]
}

run "reject_self_update_percent_over_100" {
  command = plan
  variables {
    thresholds = { self_update_percent = 101 }
  }
  expect_failures = [var.thresholds]
}

run "reject_release_age_past_githubs_window" {
  command = plan
  variables {
    thresholds = { runner_release_age_days = 31 }
  }
  expect_failures = [var.thresholds]
}

run "reject_fractional_reconcile_period" {
  command = plan

  variables {
    reconcile_period_minutes = 1.5
  }

  expect_failures = [var.reconcile_period_minutes]
}
