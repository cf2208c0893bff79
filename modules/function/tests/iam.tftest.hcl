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

run "in_a_vpc_the_function_gets_vpc_config_and_eni_permissions_held_to_its_subnets" {
  command = apply

  variables {
    vpc = { subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"], security_group_ids = ["sg-0123456789abcdef0"] }
  }

  assert {
    condition     = toset(aws_lambda_function.this.vpc_config[0].subnet_ids) == toset(["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]) && toset(aws_lambda_function.this.vpc_config[0].security_group_ids) == toset(["sg-0123456789abcdef0"])
    error_message = "vpc must put the function in the given subnets with the given security groups."
  }

  assert {
    condition = toset([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "CreateNetworkInterfacesInOwnSubnets"][0].Resource) == toset([
      "arn:aws:ec2:us-east-1:123456789012:network-interface/*",
      "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0aaaaaaaaaaaaaaa1",
      "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0bbbbbbbbbbbbbbb2",
      "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0",
    ])
    error_message = "ec2:CreateNetworkInterface must be held to the function's own subnets and security groups, not * as AWSLambdaVPCAccessExecutionRole grants it."
  }

  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "ManageNetworkInterfacesInOwnSubnets"][0].Condition == {
      ArnEquals = { "ec2:Subnet" = ["arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0aaaaaaaaaaaaaaa1", "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0bbbbbbbbbbbbbbb2"] }
    }
    error_message = "Deleting and re-addressing network interfaces must be held to interfaces in the function's own subnets."
  }

  assert {
    condition     = toset([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Sid if s.Resource == "*"]) == toset(["DescribeNetworkInterfacesInVpc"])
    error_message = "Only the Describe calls, which take no resource, may be granted on *."
  }
}

run "outside_a_vpc_the_role_has_no_ec2_permissions" {
  command = apply

  assert {
    condition     = length(aws_lambda_function.this.vpc_config) == 0 && !strcontains(data.aws_iam_policy_document.this.json, "ec2:")
    error_message = "Without vpc the function must stay on Lambda's network and its role hold no EC2 permission."
  }
}
