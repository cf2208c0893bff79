# The runner role: an instance can read and delete only its own JIT config. Checked on
# the real policy JSON: the AWS provider computes policy documents locally, so these runs
# use it with fake credentials; every managed resource is overridden, so nothing calls
# AWS and the runs can apply.

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  prefix = "ci"
  name   = "linux"
  ami_id = "ami-0123456789abcdef0"
  vpc_id = "vpc-0123456789abcdef0"
}

override_resource {
  target = aws_security_group.this
  values = {
    id  = "sg-0123456789abcdef0"
    arn = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0"
  }
}

override_resource {
  target = aws_vpc_security_group_egress_rule.this
}

override_resource {
  target = aws_iam_role.this
  values = { id = "ci-linux-runner", name = "ci-linux-runner", arn = "arn:aws:iam::123456789012:role/ci-linux-runner" }
}

override_resource {
  target = aws_iam_role_policy.this
}


override_resource {
  target = aws_iam_instance_profile.this
  values = { arn = "arn:aws:iam::123456789012:instance-profile/ci-linux-runner" }
}

override_resource {
  target = aws_launch_template.this
}

override_resource {
  target = aws_cloudwatch_log_group.runner
}

run "instance_reads_and_deletes_only_the_parameter_tagged_with_its_own_arn" {
  command = apply

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "ReadAndDeleteOwnJitConfig"]) == {
      Sid      = "ReadAndDeleteOwnJitConfig"
      Effect   = "Allow"
      Action   = ["ssm:GetParameter", "ssm:DeleteParameter"]
      Resource = "arn:aws:ssm:us-east-1:123456789012:parameter/ci/jit/*"
      Condition = {
        StringEquals = { "ssm:resourceTag/skiff:instance-arn" = "$${ec2:SourceInstanceARN}" }
      }
    }
    error_message = "The runner may only ssm:GetParameter/DeleteParameter under /<prefix>/jit/, and only a parameter whose skiff:instance-arn tag equals the calling instance's ARN (policy variable $${ec2:SourceInstanceARN})."
  }
}

run "every_other_jit_config_is_explicitly_denied" {
  command = apply

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "DenyOtherInstancesJitConfigs"]) == {
      Sid      = "DenyOtherInstancesJitConfigs"
      Effect   = "Deny"
      Action   = ["ssm:PutParameter", "ssm:LabelParameterVersion", "ssm:GetParameters", "ssm:GetParameterHistory", "ssm:GetParameter", "ssm:DeleteParameters", "ssm:DeleteParameter"]
      Resource = "arn:aws:ssm:us-east-1:123456789012:parameter/ci/jit/*"
      Condition = {
        StringNotEquals = { "ssm:resourceTag/skiff:instance-arn" = "$${ec2:SourceInstanceARN}" }
      }
    }
    error_message = "Reading, changing or deleting a JIT config not tagged with the caller's own instance ARN must be denied outright, whatever other policy the role carries."
  }

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "DenyListingJitConfigs"]) == {
      Sid      = "DenyListingJitConfigs"
      Effect   = "Deny"
      Action   = "ssm:GetParametersByPath"
      Resource = ["arn:aws:ssm:us-east-1:123456789012:parameter/ci/jit/*", "arn:aws:ssm:us-east-1:123456789012:parameter/ci/jit"]
    }
    error_message = "Listing the JIT path must be denied."
  }
}

run "nothing_else_is_granted_by_default" {
  command = apply

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Sid if s.Effect == "Allow"] == ["ReadAndDeleteOwnJitConfig", "PublishBootSignals"]
    error_message = "By default the only Allows are the own-JIT-config statement and the boot signals."
  }

  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "PublishBootSignals"] == [{
      Sid       = "PublishBootSignals"
      Effect    = "Allow"
      Action    = "cloudwatch:PutMetricData"
      Resource  = "*"
      Condition = { StringEquals = { "cloudwatch:namespace" = "skiff/runner" } }
    }]
    error_message = "The runner may publish metrics only in the skiff/runner namespace the bootstrap uses."
  }

  assert {
    condition     = length([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "SessionManagerAgent"]) == 0
    error_message = "Session Manager must be off by default."
  }

  assert {
    condition = jsondecode(data.aws_iam_policy_document.assume.json).Statement == [{
      Sid       = "EC2AssumesRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
    error_message = "Only EC2 may assume the runner role."
  }
}

run "jit_kms_key_is_usable_only_through_ssm" {
  command = apply

  variables {
    jit_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/44444444-4444-4444-4444-444444444444"
  }

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "DecryptJitConfig"]) == {
      Sid       = "DecryptJitConfig"
      Effect    = "Allow"
      Action    = "kms:Decrypt"
      Resource  = "arn:aws:kms:us-east-1:123456789012:key/44444444-4444-4444-4444-444444444444"
      Condition = { StringEquals = { "kms:ViaService" = "ssm.us-east-1.amazonaws.com" } }
    }
    error_message = "With jit_kms_key_arn the runner may only kms:Decrypt with that key, and only through SSM."
  }
}

run "debugging_toggles" {
  command = apply

  variables {
    session_manager       = true
    cloudwatch_agent_logs = { enabled = true }
  }

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "SessionManagerAgent"]) == {
      Sid      = "SessionManagerAgent"
      Effect   = "Allow"
      Action   = ["ssmmessages:OpenDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:CreateControlChannel", "ssm:UpdateInstanceInformation"]
      Resource = "*"
    }
    error_message = "Session Manager must bring the SSM agent's five actions and nothing else: no ssm:GetParameter*, no ec2messages, no AmazonSSMManagedInstanceCore."
  }

  assert {
    condition     = !strcontains(data.aws_iam_policy_document.this.json, "ssm:GetParameter*") && length([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Effect == "Allow" && strcontains(jsonencode(s.Action), "ssm:GetParameter")]) == 1
    error_message = "With debugging on, the only ssm:GetParameter allowed must still be ReadAndDeleteOwnJitConfig."
  }

  assert {
    condition     = length(setsubtract(["DenyOtherInstancesJitConfigs", "DenyListingJitConfigs", "DenyGitHubAppSecrets"], [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Sid if s.Effect == "Deny"])) == 0
    error_message = "The explicit denies (other instances' JIT configs, listing them, the GitHub App's secrets) must hold with debugging on."
  }

  assert {
    condition     = strcontains(base64decode(aws_launch_template.this.user_data), "\"log_group_name\":\"/skiff/ci/linux\",\"log_stream_name\":\"{instance_id}/bootstrap\"") && strcontains(base64decode(aws_launch_template.this.user_data), "\"file_path\":\"/opt/actions-runner/_diag/*.log\",\"log_group_name\":\"/skiff/ci/linux\"")
    error_message = "Log shipping must configure the CloudWatch agent to send the bootstrap's and the runner's logs to the pool's log group."
  }

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "WriteRunnerLogs"]) == {
      Sid      = "WriteRunnerLogs"
      Effect   = "Allow"
      Action   = ["logs:PutLogEvents", "logs:DescribeLogStreams", "logs:CreateLogStream"]
      Resource = ["arn:aws:logs:us-east-1:123456789012:log-group:/skiff/ci/linux:log-stream:*", "arn:aws:logs:us-east-1:123456789012:log-group:/skiff/ci/linux"]
    }
    error_message = "The CloudWatch agent may write only to the pool's own log group, /skiff/<prefix>/<pool>."
  }

  assert {
    condition     = aws_cloudwatch_log_group.runner[0].name == "/skiff/ci/linux" && aws_cloudwatch_log_group.runner[0].retention_in_days == 30
    error_message = "cloudwatch_agent_logs must create the pool's log group with a retention."
  }
}

run "github_app_secrets_are_denied_whatever_else_is_attached" {
  command = apply

  variables {
    session_manager   = true
    secret_parameters = ["/shared/app-key", "shared/webhook-secret"]
  }

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "DenyGitHubAppSecrets"]) == {
      Sid    = "DenyGitHubAppSecrets"
      Effect = "Deny"
      Action = ["ssm:GetParametersByPath", "ssm:GetParameters", "ssm:GetParameterHistory", "ssm:GetParameter"]
      Resource = [
        "arn:aws:ssm:us-east-1:123456789012:parameter/shared/webhook-secret",
        "arn:aws:ssm:us-east-1:123456789012:parameter/shared/app-key",
        "arn:aws:ssm:us-east-1:123456789012:parameter/ci/github-app/*",
        "arn:aws:ssm:us-east-1:123456789012:parameter/ci/github-app",
      ]
    }
    error_message = "Runners must be denied ssm:GetParameter* on /<prefix>/github-app/* and on the App's key and webhook secret parameters, whatever else the role allows (AmazonSSMManagedInstanceCore allows them on *)."
  }
}
