# The scale-down role's least-privilege contract, checked on the real policy JSON. The AWS
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
  prefix     = "ci"
  name       = "ci-scale-down"
  function   = { zip_path = "tests/fixtures/lambda.zip" }
  pools_json = file("../../test/fixtures/pools.json")
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
  values = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ci-scale-down" }
}

override_resource {
  target = module.function.aws_iam_role.this
  values = { arn = "arn:aws:iam::123456789012:role/ci-scale-down", id = "ci-scale-down" }
}

override_resource {
  target = module.function.aws_iam_role_policy.this
}

override_resource {
  target = module.function.aws_lambda_function.this
  values = { arn = "arn:aws:lambda:us-east-1:123456789012:function:ci-scale-down" }
}

override_resource {
  target = aws_lambda_function_event_invoke_config.this
}

override_resource {
  target = aws_cloudwatch_event_rule.schedule
  values = { arn = "arn:aws:events:us-east-1:123456789012:rule/ci-scale-down-schedule" }
}

override_resource {
  target = aws_cloudwatch_event_target.schedule
}

override_resource {
  target = aws_lambda_permission.schedule
}

run "one_statement_per_purpose" {
  command = apply

  assert {
    condition = [for s in jsondecode(module.function.policy_json).Statement : s.Sid] == [
      "WriteOwnLogs", "ReconcileStateTable", "RequeueOrDeadLetterJobs", "DescribeInstances",
      "DescribeLaunchTemplates", "TerminateOwnInstances", "ListOwnTasks", "DescribeAndStopOwnTasks",
      "DeleteJitConfigs", "ReadGitHubAppKey",
    ]
    error_message = "Without KMS keys the role must hold exactly these statements, one per purpose."
  }

  assert {
    condition     = alltrue([for s in jsondecode(module.function.policy_json).Statement : s.Effect == "Allow" && length([for a in flatten([s.Action]) : a if strcontains(a, "*")]) == 0])
    error_message = "Every statement must allow named actions, never a wildcard action."
  }

  assert {
    condition     = [for s in jsondecode(module.function.policy_json).Statement : s.Sid if contains(flatten([s.Resource]), "*")] == ["DescribeInstances", "DescribeLaunchTemplates", "ListOwnTasks"]
    error_message = "Only DescribeInstances, DescribeLaunchTemplates and ListTasks (which name no instance, template or task) may name Resource \"*\"."
  }
}

run "describes_instances_only_in_its_region" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "DescribeInstances"]) == {
      Sid       = "DescribeInstances"
      Effect    = "Allow"
      Action    = "ec2:DescribeInstances"
      Resource  = "*"
      Condition = { StringEquals = { "aws:RequestedRegion" = "us-east-1" } }
    }
    error_message = "The \"*\" statement must hold ec2:DescribeInstances alone, limited to the deployment's region."
  }
}

run "describes_launch_templates_only_in_its_region" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "DescribeLaunchTemplates"]) == {
      Sid       = "DescribeLaunchTemplates"
      Effect    = "Allow"
      Action    = "ec2:DescribeLaunchTemplates"
      Resource  = "*"
      Condition = { StringEquals = { "aws:RequestedRegion" = "us-east-1" } }
    }
    error_message = "The reconcile reads launch template versions (warm runner replacement) with ec2:DescribeLaunchTemplates alone, limited to the deployment's region."
  }
}

run "terminates_only_instances_tagged_with_its_prefix" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "TerminateOwnInstances"]) == {
      Sid       = "TerminateOwnInstances"
      Effect    = "Allow"
      Action    = "ec2:TerminateInstances"
      Resource  = "arn:aws:ec2:us-east-1:123456789012:instance/*"
      Condition = { StringEquals = { "aws:ResourceTag/skiff:prefix" = "ci" } }
    }
    error_message = "ec2:TerminateInstances must be limited to instances tagged skiff:prefix = <prefix>."
  }

  assert {
    condition     = [for s in jsondecode(module.function.policy_json).Statement : s.Sid if length([for a in flatten([s.Action]) : a if startswith(a, "ec2:") && !startswith(a, "ec2:Describe")]) > 0] == ["TerminateOwnInstances"]
    error_message = "No other statement may hold an EC2 action that changes anything: TerminateOwnInstances is the only way to terminate."
  }
}

run "deletes_only_jit_parameters" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "DeleteJitConfigs"]) == {
      Sid      = "DeleteJitConfigs"
      Effect   = "Allow"
      Action   = "ssm:DeleteParameter"
      Resource = "arn:aws:ssm:us-east-1:123456789012:parameter/ci/jit/*"
    }
    error_message = "The function may delete parameters only under /<prefix>/jit/."
  }

  assert {
    condition     = [for s in jsondecode(module.function.policy_json).Statement : s.Sid if length([for a in flatten([s.Action]) : a if startswith(a, "ssm:") && !contains(["ssm:GetParameter", "ssm:GetParameters"], a)]) > 0] == ["DeleteJitConfigs"]
    error_message = "No other statement may write or delete SSM parameters."
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "ReadGitHubAppKey"]) == {
      Sid      = "ReadGitHubAppKey"
      Effect   = "Allow"
      Action   = ["ssm:GetParameters", "ssm:GetParameter"]
      Resource = "arn:aws:ssm:us-east-1:123456789012:parameter/ci/github-app/key"
    }
    error_message = "The function may read only the App key parameter (it cannot read JIT configs)."
  }
}

run "state_table_and_job_queues_only" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "ReconcileStateTable"]) == {
      Sid      = "ReconcileStateTable"
      Effect   = "Allow"
      Action   = ["dynamodb:UpdateItem", "dynamodb:Scan", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem"]
      Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/ci-state"
    }
    error_message = "The function may scan the state table and put, update and delete its items (no table management)."
  }

  assert {
    condition     = length(setsubtract(["dynamodb:PutItem", "dynamodb:DeleteItem"], flatten([for s in jsondecode(module.function.policy_json).Statement : s.Action if s.Effect == "Allow" && contains(flatten([s.Resource]), "arn:aws:dynamodb:us-east-1:123456789012:table/ci-state")]))) == 0
    error_message = "The function must be able to put and delete the lock#... item on the state table: it keeps one reconcile at a time without reserved concurrency."
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

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "WriteOwnLogs"]) == {
      Sid      = "WriteOwnLogs"
      Effect   = "Allow"
      Action   = ["logs:PutLogEvents", "logs:CreateLogStream"]
      Resource = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ci-scale-down:log-stream:*"
    }
    error_message = "The function may write only to its own log group's streams."
  }
}

# The fixture's Fargate pool (lint) runs in the ci-runners cluster.
run "lists_describes_and_stops_only_tasks_of_skiffs_cluster" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "ListOwnTasks"]) == {
      Sid       = "ListOwnTasks"
      Effect    = "Allow"
      Action    = "ecs:ListTasks"
      Resource  = "*"
      Condition = { ArnEquals = { "ecs:cluster" = "arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners" } }
    }
    error_message = "The \"*\" ListTasks statement must be held to skiff's cluster by ecs:cluster."
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "DescribeAndStopOwnTasks"]) == {
      Sid       = "DescribeAndStopOwnTasks"
      Effect    = "Allow"
      Action    = ["ecs:StopTask", "ecs:DescribeTasks"]
      Resource  = "arn:aws:ecs:us-east-1:123456789012:task/ci-runners/*"
      Condition = { ArnEquals = { "ecs:cluster" = "arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners" } }
    }
    error_message = "DescribeTasks and StopTask must be limited to tasks of skiff's cluster."
  }
}

run "no_ecs_statement_without_a_fargate_pool" {
  command = apply

  variables {
    pools_json = jsonencode([for p in jsondecode(file("../../test/fixtures/pools.json")) : p if p.target == "ec2"])
  }

  assert {
    condition     = length([for a in flatten([for s in jsondecode(module.function.policy_json).Statement : s.Action]) : a if startswith(a, "ecs:")]) == 0
    error_message = "Without a Fargate pool the role must hold no ECS action at all."
  }
}

run "another_prefix_and_partition_move_every_scope" {
  command = apply

  variables {
    prefix = "build-2"
    jobs_queue = {
      url     = "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/ci-jobs"
      arn     = "arn:aws-cn:sqs:cn-north-1:123456789012:ci-jobs"
      dlq_url = "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/ci-jobs-dlq"
      dlq_arn = "arn:aws-cn:sqs:cn-north-1:123456789012:ci-jobs-dlq"
    }
  }

  assert {
    condition     = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "TerminateOwnInstances"]).Condition == { StringEquals = { "aws:ResourceTag/skiff:prefix" = "build-2" } } && one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "TerminateOwnInstances"]).Resource == "arn:aws-cn:ec2:cn-north-1:123456789012:instance/*"
    error_message = "The terminate scope must follow the prefix, partition and region."
  }

  assert {
    condition     = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "DeleteJitConfigs"]).Resource == "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/build-2/jit/*"
    error_message = "The JIT delete scope must follow the prefix, partition and region."
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
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "EncryptJobMessages"]) == {
      Sid       = "EncryptJobMessages"
      Effect    = "Allow"
      Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
      Resource  = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
      Condition = { StringEquals = { "kms:ViaService" = "sqs.us-east-1.amazonaws.com" } }
    }
    error_message = "The queue key may be used only to send encrypted messages, through SQS."
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
