# The task and execution roles, checked on the real policy JSON: the AWS provider computes
# policy documents locally, so these runs use it with fake credentials; every managed
# resource is overridden, so nothing calls AWS and the runs can apply.

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
  name   = "lint"
  image  = "123456789012.dkr.ecr.us-east-1.amazonaws.com/skiff/runner:2.337.0"
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
  target = aws_iam_role.task
  values = { id = "ci-lint-task", name = "ci-lint-task", arn = "arn:aws:iam::123456789012:role/ci-lint-task", unique_id = "AROAEXAMPLETASKROLE01" }
}

override_resource {
  target = aws_iam_role.execution
  values = { id = "ci-lint-task-exec", name = "ci-lint-task-exec", arn = "arn:aws:iam::123456789012:role/ci-lint-task-exec" }
}

override_resource {
  target = aws_iam_role_policy.task
}

override_resource {
  target = aws_iam_role_policy.execution
}

override_resource {
  target = aws_cloudwatch_log_group.this
  values = { name = "/skiff/ci/lint" }
}

override_resource {
  target = aws_ecs_task_definition.this
  values = { arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/ci-lint-runner:1" }
}

run "task_reads_and_deletes_only_the_parameter_tagged_with_its_own_user_id" {
  command = apply

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.task.json).Statement : s if s.Sid == "ReadAndDeleteOwnJitConfig"]) == {
      Sid      = "ReadAndDeleteOwnJitConfig"
      Effect   = "Allow"
      Action   = ["ssm:GetParameter", "ssm:DeleteParameter"]
      Resource = "arn:aws:ssm:us-east-1:123456789012:parameter/ci/jit/*"
      Condition = {
        StringEquals = { "ssm:resourceTag/skiff:task-userid" = "$${aws:userid}" }
      }
    }
    error_message = "The task may only ssm:GetParameter/DeleteParameter under /<prefix>/jit/, and only a parameter whose skiff:task-userid tag equals the caller's own $${aws:userid} (<role unique ID>:<task ID>)."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.task.json).Statement : s.Sid if s.Effect == "Allow"] == ["ReadAndDeleteOwnJitConfig"]
    error_message = "Without jit_kms_key_arn, reading and deleting its own JIT config must be the task role's only Allow."
  }
}

run "every_other_jit_config_and_every_write_is_explicitly_denied" {
  command = apply

  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.task.json).Statement : {
      effect = s.Effect, actions = toset(s.Action), resources = s.Resource, condition = s.Condition
      } if s.Sid == "DenyOtherTasksJitConfigs"] == [{
      effect    = "Deny"
      actions   = toset(["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory", "ssm:DeleteParameter", "ssm:DeleteParameters"])
      resources = "arn:aws:ssm:us-east-1:123456789012:parameter/ci/jit/*"
      condition = { StringNotEquals = { "ssm:resourceTag/skiff:task-userid" = "$${aws:userid}" } }
    }]
    error_message = "Reading or deleting a JIT config not tagged with the caller's own user ID (or untagged) must be denied outright, whatever other policy the role carries."
  }

  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.task.json).Statement : {
      effect = s.Effect, actions = toset(s.Action), resources = toset(s.Resource), conditioned = can(s.Condition)
      } if s.Sid == "DenyWritingJitConfigs"] == [{
      effect      = "Deny"
      actions     = toset(["ssm:PutParameter", "ssm:LabelParameterVersion", "ssm:UnlabelParameterVersion", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource"])
      resources   = toset(["arn:aws:ssm:us-east-1:123456789012:parameter/ci/jit", "arn:aws:ssm:us-east-1:123456789012:parameter/ci/jit/*"])
      conditioned = false
    }]
    error_message = "No task may write a JIT parameter or change its tags (re-tagging another task's parameter would open it): unconditional deny."
  }

  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.task.json).Statement : {
      effect = s.Effect, actions = toset(s.Action), resources = toset(s.Resource)
      } if s.Sid == "DenyListingJitConfigs"] == [{
      effect    = "Deny"
      actions   = toset(["ssm:GetParametersByPath", "ssm:DescribeParameters"])
      resources = toset(["arn:aws:ssm:us-east-1:123456789012:parameter/ci/jit", "arn:aws:ssm:us-east-1:123456789012:parameter/ci/jit/*"])
    }]
    error_message = "Listing the JIT path must be denied."
  }
}

run "github_app_secrets_are_denied_whatever_else_is_attached" {
  command = apply

  variables {
    secret_parameters = ["/shared/app-key", "shared/webhook-secret"]
  }

  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.task.json).Statement : {
      effect = s.Effect, actions = toset(s.Action), resources = toset(s.Resource)
      } if s.Sid == "DenyGitHubAppSecrets"] == [{
      effect  = "Deny"
      actions = toset(["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory", "ssm:GetParametersByPath"])
      resources = toset([
        "arn:aws:ssm:us-east-1:123456789012:parameter/ci/github-app",
        "arn:aws:ssm:us-east-1:123456789012:parameter/ci/github-app/*",
        "arn:aws:ssm:us-east-1:123456789012:parameter/shared/app-key",
        "arn:aws:ssm:us-east-1:123456789012:parameter/shared/webhook-secret",
      ])
    }]
    error_message = "Tasks must be denied ssm:GetParameter* on /<prefix>/github-app/* and on the App's key and webhook secret parameters."
  }
}

run "jit_kms_key_is_usable_only_through_ssm" {
  command = apply

  variables {
    jit_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/44444444-4444-4444-4444-444444444444"
  }

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.task.json).Statement : s if s.Sid == "DecryptJitConfig"]) == {
      Sid       = "DecryptJitConfig"
      Effect    = "Allow"
      Action    = "kms:Decrypt"
      Resource  = "arn:aws:kms:us-east-1:123456789012:key/44444444-4444-4444-4444-444444444444"
      Condition = { StringEquals = { "kms:ViaService" = "ssm.us-east-1.amazonaws.com" } }
    }
    error_message = "With jit_kms_key_arn the task may only kms:Decrypt with that key, and only through SSM."
  }
}

run "only_ecs_tasks_of_this_account_and_region_assume_the_task_role" {
  command = apply

  assert {
    condition = jsondecode(data.aws_iam_policy_document.task_assume.json).Statement == [{
      Sid       = "EcsTasksAssumeRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Condition = {
        ArnLike      = { "aws:SourceArn" = "arn:aws:ecs:us-east-1:123456789012:*" }
        StringEquals = { "aws:SourceAccount" = "123456789012" }
      }
    }]
    error_message = "Only ECS tasks of this account and region may assume the task role; no other principal, and not the role itself (a self-assume could choose its session name, which the JIT condition relies on)."
  }

  assert {
    condition = jsondecode(data.aws_iam_policy_document.execution_assume.json).Statement == [{
      Sid       = "EcsTasksAssumeRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    }]
    error_message = "Only ECS, for this account, may assume the execution role."
  }
}

run "execution_role_pulls_one_repository_and_writes_one_log_group" {
  command = apply

  variables {
    # A cross-account, cross-region repository, pinned by digest.
    image = "210987654321.dkr.ecr.eu-west-1.amazonaws.com/platform/skiff-runner@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  }

  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.execution.json).Statement : {
      sid = s.Sid, effect = s.Effect, actions = toset(flatten([s.Action])), resources = toset(flatten([s.Resource])), conditioned = can(s.Condition)
      }] == [
      { sid = "GetEcrToken", effect = "Allow", actions = toset(["ecr:GetAuthorizationToken"]), resources = toset(["*"]), conditioned = false },
      { sid = "PullRunnerImage", effect = "Allow", actions = toset(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]), resources = toset(["arn:aws:ecr:eu-west-1:210987654321:repository/platform/skiff-runner"]), conditioned = false },
      {
        sid       = "WriteTaskLogs", effect = "Allow", actions = toset(["logs:CreateLogStream", "logs:PutLogEvents"]), conditioned = false
        resources = toset(["arn:aws:logs:us-east-1:123456789012:log-group:/skiff/ci/lint", "arn:aws:logs:us-east-1:123456789012:log-group:/skiff/ci/lint:log-stream:*"])
      },
    ]
    error_message = "The execution role may get an ECR token, pull from the image's own repository only, and write to the pool's log group only: no secrets, no SSM, no other repository."
  }
}
