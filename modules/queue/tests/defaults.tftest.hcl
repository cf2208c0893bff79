# Defaults and derived settings of the queue pair, planned under a mocked AWS provider.

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

override_resource {
  override_during = plan
  target          = aws_sqs_queue.this
  values = {
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs"
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
  }
}

override_resource {
  override_during = plan
  target          = aws_sqs_queue.dlq
  values = {
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs-dlq"
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs-dlq"
  }
}

run "visibility_timeout_is_six_times_the_consumer_timeout" {
  command = plan

  assert {
    condition     = aws_sqs_queue.this.visibility_timeout_seconds == 180
    error_message = "The queue's visibility timeout must be 6 x consumer_timeout_seconds (AWS's recommendation for Lambda event sources)."
  }

  assert {
    condition     = output.visibility_timeout_seconds == 180
    error_message = "visibility_timeout_seconds output must report the derived timeout."
  }
}

run "redrive_sends_to_the_dlq_after_max_receive_count" {
  command = plan

  assert {
    condition     = jsondecode(aws_sqs_queue.this.redrive_policy).maxReceiveCount == 5
    error_message = "By default a message must move to the DLQ after 5 receives."
  }

  assert {
    condition     = jsondecode(aws_sqs_queue.this.redrive_policy).deadLetterTargetArn == "arn:aws:sqs:us-east-1:123456789012:ci-jobs-dlq"
    error_message = "The redrive policy must target this module's DLQ."
  }

  assert {
    condition     = aws_sqs_queue.dlq.name == "ci-jobs-dlq"
    error_message = "The DLQ must be named <name>-dlq."
  }
}

run "max_receive_count_is_configurable" {
  command = plan

  variables {
    max_receive_count = 3
  }

  assert {
    condition     = jsondecode(aws_sqs_queue.this.redrive_policy).maxReceiveCount == 3
    error_message = "max_receive_count must be written into the redrive policy."
  }
}

run "only_this_queue_may_redrive_into_the_dlq" {
  command = plan

  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_allow_policy.dlq.redrive_allow_policy).redrivePermission == "byQueue"
    error_message = "The DLQ's redrive-allow policy must name source queues explicitly (byQueue)."
  }

  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_allow_policy.dlq.redrive_allow_policy).sourceQueueArns == ["arn:aws:sqs:us-east-1:123456789012:ci-jobs"]
    error_message = "Only this module's queue may use the DLQ."
  }
}

run "dlq_keeps_messages_longer_than_the_queue" {
  command = plan

  assert {
    condition     = aws_sqs_queue.this.message_retention_seconds == 345600
    error_message = "The queue must keep messages 4 days by default."
  }

  assert {
    condition     = aws_sqs_queue.dlq.message_retention_seconds == 1209600
    error_message = "The DLQ must keep messages 14 days (the SQS maximum) by default."
  }

  assert {
    condition     = aws_sqs_queue.dlq.message_retention_seconds > aws_sqs_queue.this.message_retention_seconds
    error_message = "The DLQ's retention must exceed the queue's."
  }
}

run "no_delivery_delay" {
  command = plan

  assert {
    condition     = aws_sqs_queue.this.delay_seconds == null || aws_sqs_queue.this.delay_seconds == 0
    error_message = "skiff adds no fixed delay: jobs must be deliverable at once."
  }
}
