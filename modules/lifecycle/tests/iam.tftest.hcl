# The lifecycle role's least-privilege contract, checked on the real policy JSON. The AWS
# provider computes policy documents locally, so these runs use it with fake credentials;
# every managed resource is overridden, so nothing calls AWS and the runs can apply.

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  prefix              = "ci"
  name                = "ci-lifecycle"
  function            = { zip_path = "tests/fixtures/lambda.zip" }
  pools_json          = file("../../test/fixtures/pools.json")
  lifecycle_queue_arn = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle"
  lifecycle_dlq_arn   = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle-dlq"
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
override_resource {
  target = module.function.aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ci-lifecycle" }
}

override_resource {
  target = module.function.aws_iam_role.this
  values = { arn = "arn:aws:iam::123456789012:role/ci-lifecycle", id = "ci-lifecycle" }
}

override_resource {
  target = module.function.aws_iam_role_policy.this
}

override_resource {
  target = module.function.aws_lambda_function.this
  values = { arn = "arn:aws:lambda:us-east-1:123456789012:function:ci-lifecycle" }
}

override_resource {
  target = module.function.aws_lambda_event_source_mapping.this
}

override_resource {
  target = aws_cloudwatch_event_rule.spot_interruption
  values = { arn = "arn:aws:events:us-east-1:123456789012:rule/ci-lifecycle-spot-interruption" }
}

override_resource {
  target = aws_cloudwatch_event_rule.state_change
  values = { arn = "arn:aws:events:us-east-1:123456789012:rule/ci-lifecycle-state-change" }
}

override_resource {
  target = aws_cloudwatch_event_target.spot_interruption
}

override_resource {
  target = aws_cloudwatch_event_target.state_change
}

run "one_statement_per_purpose" {
  command = apply

  assert {
    condition = [for s in jsondecode(module.function.policy_json).Statement : s.Sid] == [
      "WriteOwnLogs", "ConsumeLifecycleQueue", "RequeueOrDeadLetterJobs", "TrackJobsAndInstances", "ReadGitHubAppKey",
    ]
    error_message = "Without KMS keys the role must hold exactly these statements, one per purpose."
  }

  assert {
    condition     = alltrue([for s in jsondecode(module.function.policy_json).Statement : s.Effect == "Allow" && !contains(flatten([s.Resource]), "*")])
    error_message = "No statement may grant on Resource \"*\"."
  }

  assert {
    condition     = length([for a in flatten([for s in jsondecode(module.function.policy_json).Statement : s.Action]) : a if startswith(a, "ec2:") || a == "ssm:DeleteParameter" || a == "ssm:PutParameter" || endswith(a, "*")]) == 0
    error_message = "The lifecycle function acts on state only: no EC2 action (it terminates nothing), no SSM write or delete, no wildcard action."
  }
}

run "consumes_only_the_lifecycle_queue_and_sends_only_jobs" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "ConsumeLifecycleQueue"]) == {
      Sid      = "ConsumeLifecycleQueue"
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:GetQueueAttributes", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
      Resource = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle"
    }
    error_message = "The function may only receive, delete, re-time and inspect messages of the lifecycle queue."
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "RequeueOrDeadLetterJobs"]) == {
      Sid      = "RequeueOrDeadLetterJobs"
      Effect   = "Allow"
      Action   = "sqs:SendMessage"
      Resource = ["arn:aws:sqs:us-east-1:123456789012:ci-jobs-dlq", "arn:aws:sqs:us-east-1:123456789012:ci-jobs"]
    }
    error_message = "The function may only send to the jobs queue (requeue) and its DLQ (give up)."
  }
}

run "state_table_items_only" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "TrackJobsAndInstances"]) == {
      Sid      = "TrackJobsAndInstances"
      Effect   = "Allow"
      Action   = ["dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem"]
      Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/ci-state"
    }
    error_message = "The function may only get, put, update and delete items of the state table (no Scan, no Query, no table management)."
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "ReadGitHubAppKey"]) == {
      Sid      = "ReadGitHubAppKey"
      Effect   = "Allow"
      Action   = ["ssm:GetParameters", "ssm:GetParameter"]
      Resource = "arn:aws:ssm:us-east-1:123456789012:parameter/ci/github-app/key"
    }
    error_message = "The function may read only the App key parameter."
  }
}

run "logs_only_to_its_own_group" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "WriteOwnLogs"]) == {
      Sid      = "WriteOwnLogs"
      Effect   = "Allow"
      Action   = ["logs:PutLogEvents", "logs:CreateLogStream"]
      Resource = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ci-lifecycle:log-stream:*"
    }
    error_message = "The function may write only to its own log group's streams."
  }
}

run "kms_keys_only_through_their_services" {
  command = apply

  variables {
    queue_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
    github_app = {
      id              = "123456"
      key_parameter   = "/ci/github-app/key"
      key_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/33333333-3333-3333-3333-333333333333"
    }
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "UseQueueKey"]) == {
      Sid       = "UseQueueKey"
      Effect    = "Allow"
      Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
      Resource  = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
      Condition = { StringEquals = { "kms:ViaService" = "sqs.us-east-1.amazonaws.com" } }
    }
    error_message = "The queue key may be used only to decrypt (consume) and generate data keys (send), through SQS."
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "DecryptGitHubAppKey"]) == {
      Sid       = "DecryptGitHubAppKey"
      Effect    = "Allow"
      Action    = "kms:Decrypt"
      Resource  = "arn:aws:kms:us-east-1:123456789012:key/33333333-3333-3333-3333-333333333333"
      Condition = { StringEquals = { "kms:ViaService" = "ssm.us-east-1.amazonaws.com" } }
    }
    error_message = "The App key's KMS key may be used only to decrypt, through SSM."
  }
}

run "a_rule_outside_the_queue_region_fails_its_postcondition" {
  command = plan

  variables {
    lifecycle_queue_arn = "arn:aws:sqs:eu-west-1:123456789012:ci-lifecycle"
  }

  # The overrides above give the rules us-east-1 ARNs; the queue is in eu-west-1, so the
  # ARNs computed for its policy would not admit them.
  expect_failures = [aws_cloudwatch_event_rule.spot_interruption, aws_cloudwatch_event_rule.state_change]
}
