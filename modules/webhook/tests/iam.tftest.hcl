# The webhook role's least-privilege contract, checked on the real policy JSON: the whole
# inline policy, the function module's base statement included (modules/function's tests
# hold the assume-role policy). The AWS
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
  name       = "ci-webhook"
  function   = { zip_path = "tests/fixtures/lambda.zip" }
  pools_json = file("../../test/fixtures/pools.json")
  jobs_queue = {
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs"
  }
  lifecycle_queue = {
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-lifecycle"
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle"
  }
  webhook_secret_parameters = ["/ci/github-app/webhook-secret", "/ci/github-app/webhook-secret-previous"]
}

override_resource {
  target = module.function.aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ci-webhook" }
}

override_resource {
  target = module.function.aws_iam_role.this
  values = { arn = "arn:aws:iam::123456789012:role/ci-webhook", id = "ci-webhook" }
}

override_resource {
  target = module.function.aws_iam_role_policy.this
}

override_resource {
  target = module.function.aws_lambda_function.this
  values = { function_name = "ci-webhook" }
}

override_resource {
  target = aws_lambda_permission.api
}

override_resource {
  target = aws_apigatewayv2_api.this
  values = { execution_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123" }
}

override_resource {
  target = aws_apigatewayv2_integration.this
}

override_resource {
  target = aws_apigatewayv2_route.this
}

override_resource {
  target = aws_apigatewayv2_stage.this
}

override_resource {
  target = aws_cloudwatch_log_group.access
}

run "grants_exactly_logs_queues_and_secrets" {
  command = apply

  assert {
    condition     = [for s in jsondecode(module.function.policy_json).Statement : s.Sid] == ["WriteOwnLogs", "SendToJobsAndLifecycleQueues", "ReadWebhookSecrets"]
    error_message = "Without KMS keys the role must hold exactly three statements: its logs, the two queues, the webhook secrets."
  }

  assert {
    condition     = alltrue([for s in jsondecode(module.function.policy_json).Statement : s.Effect == "Allow" && !can(s.NotAction) && !can(s.NotResource)])
    error_message = "Every statement must be an Allow of named actions on named resources."
  }
}

run "writes_only_its_own_log_group" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "WriteOwnLogs"]) == {
      Sid      = "WriteOwnLogs"
      Effect   = "Allow"
      Action   = ["logs:PutLogEvents", "logs:CreateLogStream"]
      Resource = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ci-webhook:log-stream:*"
    }
    error_message = "The function may only create streams in and write to /aws/lambda/<name>."
  }
}

run "sends_only_to_the_two_queues" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "SendToJobsAndLifecycleQueues"]) == {
      Sid      = "SendToJobsAndLifecycleQueues"
      Effect   = "Allow"
      Action   = "sqs:SendMessage"
      Resource = ["arn:aws:sqs:us-east-1:123456789012:ci-lifecycle", "arn:aws:sqs:us-east-1:123456789012:ci-jobs"]
    }
    error_message = "The function may only sqs:SendMessage, and only to the jobs and lifecycle queues."
  }
}

run "reads_only_the_webhook_secret_parameters" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "ReadWebhookSecrets"]) == {
      Sid    = "ReadWebhookSecrets"
      Effect = "Allow"
      Action = "ssm:GetParameters"
      Resource = [
        "arn:aws:ssm:us-east-1:123456789012:parameter/ci/github-app/webhook-secret-previous",
        "arn:aws:ssm:us-east-1:123456789012:parameter/ci/github-app/webhook-secret",
      ]
    }
    error_message = "The function may only ssm:GetParameters the listed secret parameters, by exact ARN."
  }
}

run "kms_keys_only_through_their_services" {
  command = apply

  variables {
    queue_kms_key_arn  = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
    secret_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222"
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "EncryptQueueMessages"]) == {
      Sid       = "EncryptQueueMessages"
      Effect    = "Allow"
      Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
      Resource  = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
      Condition = { StringEquals = { "kms:ViaService" = "sqs.us-east-1.amazonaws.com" } }
    }
    error_message = "With queue_kms_key_arn the function may use that key only through SQS (kms:ViaService)."
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "DecryptWebhookSecrets"]) == {
      Sid       = "DecryptWebhookSecrets"
      Effect    = "Allow"
      Action    = "kms:Decrypt"
      Resource  = "arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222"
      Condition = { StringEquals = { "kms:ViaService" = "ssm.us-east-1.amazonaws.com" } }
    }
    error_message = "With secret_kms_key_arn the function may only kms:Decrypt with that key, and only through SSM (kms:ViaService)."
  }
}
