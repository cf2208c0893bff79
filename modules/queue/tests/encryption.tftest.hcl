# Server-side encryption of both queues: SSE-SQS by default, or a customer managed KMS key.

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

run "sse_sqs_by_default" {
  command = plan

  assert {
    condition     = aws_sqs_queue.this.sqs_managed_sse_enabled == true && aws_sqs_queue.this.kms_master_key_id == null
    error_message = "Without kms_key_arn the queue must use SQS-managed encryption (SSE-SQS)."
  }

  assert {
    condition     = aws_sqs_queue.dlq.sqs_managed_sse_enabled == true && aws_sqs_queue.dlq.kms_master_key_id == null
    error_message = "Without kms_key_arn the DLQ must use SQS-managed encryption (SSE-SQS)."
  }

  assert {
    condition     = output.kms_key_arn == null
    error_message = "kms_key_arn output must be null with SSE-SQS."
  }
}

run "customer_managed_kms_key" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition     = aws_sqs_queue.this.kms_master_key_id == "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    error_message = "With kms_key_arn the queue must be encrypted with that key."
  }

  assert {
    condition     = aws_sqs_queue.dlq.kms_master_key_id == "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    error_message = "With kms_key_arn the DLQ must be encrypted with that key too."
  }

  assert {
    condition     = aws_sqs_queue.this.kms_data_key_reuse_period_seconds == 300
    error_message = "The data key reuse period must default to 300 s."
  }
}
