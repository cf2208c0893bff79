# The base policy every skiff function gets, checked on the real policy JSON. The AWS
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
  name     = "ci-scale-up"
  function = { zip_path = "tests/fixtures/lambda.zip" }
  policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "ConsumeJobsQueue", Effect = "Allow", Action = "sqs:ReceiveMessage", Resource = "arn:aws:sqs:us-east-1:123456789012:ci-jobs" },
      { Sid = "ReadGitHubAppKey", Effect = "Allow", Action = "ssm:GetParameter", Resource = "arn:aws:ssm:us-east-1:123456789012:parameter/ci/github-app/key" },
    ]
  })
}

override_resource {
  target = aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ci-scale-up" }
}

override_resource {
  target = aws_iam_role.this
  values = { arn = "arn:aws:iam::123456789012:role/ci-scale-up", id = "ci-scale-up" }
}

override_resource {
  target = aws_iam_role_policy.this
}

override_resource {
  target = aws_lambda_function.this
  values = { arn = "arn:aws:lambda:us-east-1:123456789012:function:ci-scale-up" }
}

override_resource {
  target = aws_lambda_event_source_mapping.this
}

run "base_statement_first_then_the_callers_own" {
  command = apply

  assert {
    condition     = [for s in jsondecode(output.policy_json).Statement : s.Sid] == ["WriteOwnLogs", "ConsumeJobsQueue", "ReadGitHubAppKey"]
    error_message = "The inline policy must hold the base statement, then exactly the caller's statements, in order."
  }

  assert {
    condition     = aws_iam_role_policy.this.policy == output.policy_json
    error_message = "The role's inline policy must be the merged document."
  }
}

run "writes_only_its_own_log_group" {
  command = apply

  assert {
    condition = one([for s in jsondecode(output.policy_json).Statement : s if s.Sid == "WriteOwnLogs"]) == {
      Sid      = "WriteOwnLogs"
      Effect   = "Allow"
      Action   = ["logs:PutLogEvents", "logs:CreateLogStream"]
      Resource = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ci-scale-up:log-stream:*"
    }
    error_message = "The function may only create streams in and write to /aws/lambda/<name>."
  }
}

run "only_lambda_assumes_the_role" {
  command = apply

  assert {
    condition = jsondecode(data.aws_iam_policy_document.assume.json).Statement == [{
      Sid       = "LambdaAssumesRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
    error_message = "Only the Lambda service may assume the function's role."
  }
}

run "the_role_takes_the_iam_boundary_and_path" {
  command = plan

  variables {
    iam = { permissions_boundary_arn = "arn:aws:iam::123456789012:policy/boundary", path = "/skiff/" }
  }

  assert {
    condition     = aws_iam_role.this.path == "/skiff/" && aws_iam_role.this.permissions_boundary == "arn:aws:iam::123456789012:policy/boundary"
    error_message = "The function's role must take iam.path and iam.permissions_boundary_arn."
  }
}
