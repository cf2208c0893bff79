# Queue policies, checked on the real policy JSON. The AWS provider computes policy
# documents locally, so these runs use it with fake credentials. Every managed resource
# is overridden (so nothing calls AWS), which lets the runs `apply`: data sources that
# depend on resources being created are only read at apply.

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  name                     = "ci-lifecycle"
  consumer_timeout_seconds = 60
}

override_resource {
  target = aws_sqs_queue.this
  values = {
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle"
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-lifecycle"
  }
}

override_resource {
  target = aws_sqs_queue.dlq
  values = {
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle-dlq"
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-lifecycle-dlq"
  }
}

override_resource {
  target = aws_sqs_queue_policy.this
}

override_resource {
  target = aws_sqs_queue_policy.dlq
}

override_resource {
  target = aws_sqs_queue_redrive_allow_policy.dlq
}

run "queues_deny_requests_without_tls" {
  command = apply

  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s
      if s.Sid == "DenyInsecureTransport"
      ]) == {
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Action    = "sqs:*"
      Resource  = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle"
      Principal = "*"
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }
    error_message = "The queue policy must deny every SQS action to everyone when aws:SecureTransport is false."
  }

  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.dlq.json).Statement : s
      if s.Sid == "DenyInsecureTransport"
      ]) == {
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Action    = "sqs:*"
      Resource  = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle-dlq"
      Principal = "*"
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }
    error_message = "The DLQ policy must deny every SQS action to everyone when aws:SecureTransport is false."
  }
}

run "no_eventbridge_access_by_default" {
  command = apply

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Sid] == ["DenyInsecureTransport"]
    error_message = "Without eventbridge_rule_arns the queue policy must hold only the TLS deny."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.dlq.json).Statement : s.Sid] == ["DenyInsecureTransport"]
    error_message = "Without eventbridge_rule_arns the DLQ policy must hold only the TLS deny."
  }
}

run "eventbridge_rules_may_send_only_from_their_arns" {
  command = apply

  variables {
    eventbridge_rule_arns = [
      "arn:aws:events:us-east-1:123456789012:rule/ci-spot-interruption",
      "arn:aws:events:us-east-1:123456789012:rule/ci-instance-state",
    ]
  }

  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s
      if s.Sid == "AllowEventBridgeRules"
      ]) == {
      Sid       = "AllowEventBridgeRules"
      Effect    = "Allow"
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle"
      Principal = { Service = "events.amazonaws.com" }
      Condition = {
        ArnEquals = {
          "aws:SourceArn" = [
            "arn:aws:events:us-east-1:123456789012:rule/ci-spot-interruption",
            "arn:aws:events:us-east-1:123456789012:rule/ci-instance-state",
          ]
        }
      }
    }
    error_message = "EventBridge may only sqs:SendMessage to the queue, and only from the listed rules (aws:SourceArn)."
  }

  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.dlq.json).Statement : s
      if s.Sid == "AllowEventBridgeDeadLetters"
      ]) == {
      Sid       = "AllowEventBridgeDeadLetters"
      Effect    = "Allow"
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle-dlq"
      Principal = { Service = "events.amazonaws.com" }
      Condition = {
        ArnEquals = {
          "aws:SourceArn" = [
            "arn:aws:events:us-east-1:123456789012:rule/ci-spot-interruption",
            "arn:aws:events:us-east-1:123456789012:rule/ci-instance-state",
          ]
        }
      }
    }
    error_message = "The same rules may send to the DLQ, their targets' dead-letter queue, and no one else may."
  }
}
