# Each invalid input fails at plan with an error naming the variable.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name                     = "ci-jobs"
  consumer_timeout_seconds = 30
}

run "reject_name_with_invalid_characters" {
  command = plan
  variables {
    name = "ci.jobs"
  }
  expect_failures = [var.name]
}

run "reject_name_too_long_for_dlq_suffix" {
  command = plan
  variables {
    name = "a234567890123456789012345678901234567890123456789012345678901234567890123456x"
  }
  expect_failures = [var.name]
}

run "reject_consumer_timeout_over_lambda_maximum" {
  command = plan
  variables {
    consumer_timeout_seconds = 901
  }
  expect_failures = [var.consumer_timeout_seconds]
}

run "reject_consumer_timeout_zero" {
  command = plan
  variables {
    consumer_timeout_seconds = 0
  }
  expect_failures = [var.consumer_timeout_seconds]
}

run "reject_max_receive_count_zero" {
  command = plan
  variables {
    max_receive_count = 0
  }
  expect_failures = [var.max_receive_count]
}

run "reject_message_retention_over_14_days" {
  command = plan
  variables {
    message_retention_seconds = 1209601
  }
  expect_failures = [var.message_retention_seconds]
}

run "reject_dlq_message_retention_under_a_minute" {
  command = plan
  variables {
    dlq_message_retention_seconds = 59
  }
  expect_failures = [var.dlq_message_retention_seconds]
}

run "reject_dlq_retention_not_longer_than_queue" {
  command = plan
  variables {
    message_retention_seconds     = 86400
    dlq_message_retention_seconds = 86400
  }
  expect_failures = [aws_sqs_queue.dlq]
}

run "reject_kms_key_that_is_not_an_arn" {
  command = plan
  variables {
    kms_key_arn = "alias/aws/sqs"
  }
  expect_failures = [var.kms_key_arn]
}

run "reject_kms_data_key_reuse_period_too_short" {
  command = plan
  variables {
    kms_data_key_reuse_period_seconds = 30
  }
  expect_failures = [var.kms_data_key_reuse_period_seconds]
}

run "reject_eventbridge_arn_that_is_not_a_rule" {
  command = plan
  variables {
    eventbridge_rule_arns = ["arn:aws:sqs:us-east-1:123456789012:other"]
  }
  expect_failures = [var.eventbridge_rule_arns]
}
