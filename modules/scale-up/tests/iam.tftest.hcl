# The scale-up role's least-privilege contract, checked on the real policy JSON: the whole
# inline policy, the function module's base statement included. The AWS
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
  name       = "ci-scale-up"
  function   = { zip_path = "tests/fixtures/lambda.zip" }
  pools_json = file("../../test/fixtures/pools.json")
  runners = {
    role_arns          = ["arn:aws:iam::123456789012:role/ci-deploy-runner", "arn:aws:iam::123456789012:role/ci-linux-runner"]
    security_group_ids = ["sg-0bbbbbbbbbbbbbbb2", "sg-0aaaaaaaaaaaaaaa1"]
    fargate_role_arns  = ["arn:aws:iam::123456789012:role/ci-lint-task", "arn:aws:iam::123456789012:role/ci-lint-task-exec"]
  }
  jobs_queue = {
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs"
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
  values = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ci-scale-up" }
}

override_resource {
  target = module.function.aws_iam_role.this
  values = { arn = "arn:aws:iam::123456789012:role/ci-scale-up", id = "ci-scale-up" }
}

override_resource {
  target = module.function.aws_iam_role_policy.this
}

override_resource {
  target = module.function.aws_lambda_function.this
  values = { arn = "arn:aws:lambda:us-east-1:123456789012:function:ci-scale-up" }
}

override_resource {
  target = module.function.aws_lambda_event_source_mapping.this
}

run "one_statement_per_purpose" {
  command = apply

  assert {
    condition     = [for s in jsondecode(module.function.policy_json).Statement : s.Sid][0] == "WriteOwnLogs" && one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "WriteOwnLogs"]).Resource == "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ci-scale-up:log-stream:*"
    error_message = "The function may write only to its own log group (the function module's base statement)."
  }

  assert {
    condition = [for s in jsondecode(module.function.policy_json).Statement : s.Sid] == [
      "WriteOwnLogs", "ConsumeJobsQueue", "RequeueWaitingJobs", "ClaimJobsAndReserveSlots", "ReadGitHubAppKey",
      "WriteJitConfigs", "DeleteJitConfigs", "LaunchFromPoolTemplates", "LaunchIntoPoolNetworks",
      "CreateRunnerInstances", "LaunchTaggedInstancesFromPoolTemplates", "CreateFleetOfTaggedInstances",
      "TagOnlyAtLaunch", "TerminateOwnInstances", "PassRunnerRoles",
      "RunPoolTasks", "TagTasksAtLaunch", "StopOwnTasks", "PassTaskRoles",
    ]
    error_message = "Without KMS keys the role must hold exactly these statements, one per purpose."
  }

  assert {
    condition     = alltrue([for s in jsondecode(module.function.policy_json).Statement : s.Effect == "Allow" && !contains(flatten([s.Resource]), "*")])
    error_message = "No statement may grant on Resource \"*\"."
  }

  assert {
    condition     = !contains(flatten([for s in jsondecode(module.function.policy_json).Statement : s.Action]), "iam:CreateServiceLinkedRole")
    error_message = "The role must not create service-linked roles: the EC2 Spot role must already exist (see README)."
  }
}

run "consumes_only_the_jobs_queue" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "ConsumeJobsQueue"]) == {
      Sid      = "ConsumeJobsQueue"
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:GetQueueAttributes", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
      Resource = "arn:aws:sqs:us-east-1:123456789012:ci-jobs"
    }
    error_message = "The function may only receive, delete, re-time and inspect messages of the jobs queue."
  }
  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "RequeueWaitingJobs"]) == {
      Sid      = "RequeueWaitingJobs"
      Effect   = "Allow"
      Action   = "sqs:SendMessage"
      Resource = "arn:aws:sqs:us-east-1:123456789012:ci-jobs"
    }
    error_message = "The function may send only to the jobs queue (a waiting job goes back as a delayed message)."
  }
}

run "state_table_items_only" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "ClaimJobsAndReserveSlots"]) == {
      Sid      = "ClaimJobsAndReserveSlots"
      Effect   = "Allow"
      Action   = ["dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem", "dynamodb:BatchGetItem"]
      Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/ci-state"
    }
    error_message = "The function may only read and write items of the state table (no Scan, no table management)."
  }
}

run "ssm_app_key_read_and_jit_path_write" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "ReadGitHubAppKey"]) == {
      Sid      = "ReadGitHubAppKey"
      Effect   = "Allow"
      Action   = ["ssm:GetParameters", "ssm:GetParameter"]
      Resource = "arn:aws:ssm:us-east-1:123456789012:parameter/ci/github-app/key"
    }
    error_message = "The function may read only the App key parameter."
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "WriteJitConfigs"]) == {
      Sid      = "WriteJitConfigs"
      Effect   = "Allow"
      Action   = ["ssm:PutParameter", "ssm:AddTagsToResource"]
      Resource = "arn:aws:ssm:us-east-1:123456789012:parameter/ci/jit/*"
    }
    error_message = "The function may write (and tag) parameters only under /<prefix>/jit/."
  }

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
    condition     = !contains(flatten([for s in jsondecode(module.function.policy_json).Statement : s.Action]), "ssm:GetParametersByPath")
    error_message = "The function must not list parameters."
  }
}

run "launches_only_from_the_pools_templates_into_their_networks" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "LaunchFromPoolTemplates"]) == {
      Sid    = "LaunchFromPoolTemplates"
      Effect = "Allow"
      Action = ["ec2:RunInstances", "ec2:CreateFleet"]
      Resource = [
        "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0bbbbbbbbbbbbbbb2",
        "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1",
      ]
    }
    error_message = "CreateFleet/RunInstances may use only the pools' launch templates."
  }

  assert {
    condition = toset(one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "LaunchIntoPoolNetworks"]).Resource) == toset([
      "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0aaaaaaaaaaaaaaa1",
      "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0aaaaaaaaaaaaaaa2",
      "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0aaaaaaaaaaaaaaa1",
      "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0bbbbbbbbbbbbbbb2",
    ])
    error_message = "Launches may use only the pools' subnets and security groups."
  }

  assert {
    condition = toset(one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "CreateRunnerInstances"]).Resource) == toset([
      "arn:aws:ec2:us-east-1:123456789012:fleet/*",
      "arn:aws:ec2:us-east-1:123456789012:volume/*",
      "arn:aws:ec2:us-east-1:123456789012:network-interface/*",
      "arn:aws:ec2:us-east-1:123456789012:spot-instances-request/*",
      "arn:aws:ec2:us-east-1::image/*",
    ])
    error_message = "The resources a launch creates must be limited to this account and region; instances have their own, conditioned statements."
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "LaunchTaggedInstancesFromPoolTemplates"]) == {
      Sid      = "LaunchTaggedInstancesFromPoolTemplates"
      Effect   = "Allow"
      Action   = "ec2:RunInstances"
      Resource = "arn:aws:ec2:us-east-1:123456789012:instance/*"
      Condition = {
        ArnEquals    = { "ec2:LaunchTemplate" = ["arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0bbbbbbbbbbbbbbb2", "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0aaaaaaaaaaaaaaa1"] }
        StringEquals = { "aws:RequestTag/skiff:prefix" = "ci" }
      }
    }
    error_message = "An instance may be launched only from a pool's launch template (ec2:LaunchTemplate) and only with skiff:prefix = <prefix> in the request (aws:RequestTag)."
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "CreateFleetOfTaggedInstances"]) == {
      Sid       = "CreateFleetOfTaggedInstances"
      Effect    = "Allow"
      Action    = "ec2:CreateFleet"
      Resource  = "arn:aws:ec2:us-east-1:123456789012:instance/*"
      Condition = { StringEquals = { "aws:RequestTag/skiff:prefix" = "ci" } }
    }
    error_message = "CreateFleet may create instances only with skiff:prefix = <prefix> in the request."
  }

  assert {
    condition = length([for s in jsondecode(module.function.policy_json).Statement : s.Sid
      if s.Effect == "Allow" && contains(flatten([s.Resource]), "arn:aws:ec2:us-east-1:123456789012:instance/*") && length(setintersection(flatten([s.Action]), ["ec2:RunInstances", "ec2:CreateFleet"])) > 0 && !can(s.Condition["StringEquals"]["aws:RequestTag/skiff:prefix"])
    ]) == 0
    error_message = "No statement may allow launching instances without the skiff:prefix request tag condition."
  }
}

run "tags_only_at_launch_and_terminates_only_its_own" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "TagOnlyAtLaunch"]).Condition == {
      StringEquals = { "ec2:CreateAction" = ["CreateFleet", "RunInstances"] }
    }
    error_message = "ec2:CreateTags must be allowed only as part of CreateFleet/RunInstances (ec2:CreateAction)."
  }

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
}

run "passes_only_the_runner_roles_to_ec2" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "PassRunnerRoles"]) == {
      Sid       = "PassRunnerRoles"
      Effect    = "Allow"
      Action    = "iam:PassRole"
      Resource  = ["arn:aws:iam::123456789012:role/ci-linux-runner", "arn:aws:iam::123456789012:role/ci-deploy-runner"]
      Condition = { StringEquals = { "iam:PassedToService" = "ec2.amazonaws.com" } }
    }
    error_message = "iam:PassRole must be limited to the pools' runner roles and to EC2."
  }
}

# The fixture's Fargate pool (lint) runs ci-lint-runner in the ci-runners cluster.
run "runs_only_the_fargate_pools_task_definitions_in_skiffs_cluster" {
  command = apply

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "RunPoolTasks"]) == {
      Sid       = "RunPoolTasks"
      Effect    = "Allow"
      Action    = "ecs:RunTask"
      Resource  = "arn:aws:ecs:us-east-1:123456789012:task-definition/ci-lint-runner:*"
      Condition = { ArnEquals = { "ecs:cluster" = "arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners" } }
    }
    error_message = "RunTask may start only revisions of the Fargate pools' task definition families, and only in skiff's cluster."
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "TagTasksAtLaunch"]) == {
      Sid      = "TagTasksAtLaunch"
      Effect   = "Allow"
      Action   = "ecs:TagResource"
      Resource = "arn:aws:ecs:us-east-1:123456789012:task/ci-runners/*"
      Condition = { StringEquals = {
        "ecs:CreateAction"            = "RunTask"
        "aws:RequestTag/skiff:prefix" = "ci"
      } }
    }
    error_message = "Tasks may be tagged only by the RunTask that starts them in skiff's cluster, and only with skiff's prefix tag among the tags."
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "StopOwnTasks"]) == {
      Sid       = "StopOwnTasks"
      Effect    = "Allow"
      Action    = "ecs:StopTask"
      Resource  = "arn:aws:ecs:us-east-1:123456789012:task/ci-runners/*"
      Condition = { ArnEquals = { "ecs:cluster" = "arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners" } }
    }
    error_message = "StopTask must be limited to tasks of skiff's cluster."
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "PassTaskRoles"]) == {
      Sid       = "PassTaskRoles"
      Effect    = "Allow"
      Action    = "iam:PassRole"
      Resource  = ["arn:aws:iam::123456789012:role/ci-lint-task-exec", "arn:aws:iam::123456789012:role/ci-lint-task"]
      Condition = { StringEquals = { "iam:PassedToService" = "ecs-tasks.amazonaws.com" } }
    }
    error_message = "iam:PassRole for tasks must be limited to the Fargate pools' task and execution roles, and to ECS tasks."
  }

  assert {
    condition     = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "PassRunnerRoles"]).Condition == { StringEquals = { "iam:PassedToService" = "ec2.amazonaws.com" } }
    error_message = "The Fargate roles must not be passable to EC2, nor the runner roles to ECS: one PassRole statement per service."
  }
}

run "no_ecs_statement_without_a_fargate_pool" {
  command = apply

  variables {
    pools_json = jsonencode([for p in jsondecode(file("../../test/fixtures/pools.json")) : p if p.target == "ec2"])
    runners = {
      role_arns          = ["arn:aws:iam::123456789012:role/ci-deploy-runner", "arn:aws:iam::123456789012:role/ci-linux-runner"]
      security_group_ids = ["sg-0bbbbbbbbbbbbbbb2", "sg-0aaaaaaaaaaaaaaa1"]
    }
  }

  assert {
    condition     = length([for a in flatten([for s in jsondecode(module.function.policy_json).Statement : s.Action]) : a if startswith(a, "ecs:")]) == 0
    error_message = "Without a Fargate pool the role must hold no ECS action at all."
  }

  assert {
    condition     = !contains([for s in jsondecode(module.function.policy_json).Statement : s.Sid], "PassTaskRoles")
    error_message = "Without a Fargate pool no role may be passed to ECS."
  }
}

run "no_ec2_statement_without_an_ec2_pool" {
  command = apply

  variables {
    pools_json = jsonencode([for p in jsondecode(file("../../test/fixtures/pools.json")) : p if p.target == "fargate"])
    runners = {
      role_arns          = []
      security_group_ids = []
      fargate_role_arns  = ["arn:aws:iam::123456789012:role/ci-lint-task", "arn:aws:iam::123456789012:role/ci-lint-task-exec"]
    }
  }

  assert {
    condition     = length([for a in flatten([for s in jsondecode(module.function.policy_json).Statement : s.Action]) : a if startswith(a, "ec2:")]) == 0 && !contains([for s in jsondecode(module.function.policy_json).Statement : s.Sid], "PassRunnerRoles")
    error_message = "With Fargate pools only the role must hold no EC2 action and pass no role to EC2 (an EC2 statement would have no resources, which IAM refuses)."
  }

  assert {
    condition     = alltrue([for s in jsondecode(module.function.policy_json).Statement : length(flatten([s.Resource])) > 0])
    error_message = "Every statement must name its resources."
  }
}

run "kms_keys_only_through_their_services" {
  command = apply

  variables {
    queue_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
    jit_kms_key_arn   = "arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222"
    github_app = {
      id              = "123456"
      key_parameter   = "/ci/github-app/key"
      key_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/33333333-3333-3333-3333-333333333333"
    }
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "DecryptJobsQueue"]) == {
      Sid       = "DecryptJobsQueue"
      Effect    = "Allow"
      Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
      Resource  = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
      Condition = { StringEquals = { "kms:ViaService" = "sqs.us-east-1.amazonaws.com" } }
    }
    error_message = "The queue key may be used only to receive and send jobs, through SQS."
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "EncryptJitConfigs"]) == {
      Sid       = "EncryptJitConfigs"
      Effect    = "Allow"
      Action    = ["kms:GenerateDataKey", "kms:Encrypt"]
      Resource  = "arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222"
      Condition = { StringEquals = { "kms:ViaService" = "ssm.us-east-1.amazonaws.com" } }
    }
    error_message = "The JIT key may be used only to encrypt, through SSM."
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

run "ebs_key_only_through_ec2_and_grants_only_for_aws_resources" {
  command = apply

  variables {
    ebs_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/55555555-5555-5555-5555-555555555555"
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "UseEbsKeyForRunnerVolumes"]) == {
      Sid       = "UseEbsKeyForRunnerVolumes"
      Effect    = "Allow"
      Action    = ["kms:ReEncryptTo", "kms:ReEncryptFrom", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey", "kms:Decrypt"]
      Resource  = "arn:aws:kms:us-east-1:123456789012:key/55555555-5555-5555-5555-555555555555"
      Condition = { StringEquals = { "kms:ViaService" = "ec2.us-east-1.amazonaws.com" } }
    }
    error_message = "The EBS key may be used only through EC2, with what creating an encrypted volume needs."
  }

  assert {
    condition = one([for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "GrantEbsKeyToEc2"]) == {
      Sid      = "GrantEbsKeyToEc2"
      Effect   = "Allow"
      Action   = "kms:CreateGrant"
      Resource = "arn:aws:kms:us-east-1:123456789012:key/55555555-5555-5555-5555-555555555555"
      Condition = {
        Bool         = { "kms:GrantIsForAWSResource" = "true" }
        StringEquals = { "kms:ViaService" = "ec2.us-east-1.amazonaws.com" }
      }
    }
    error_message = "kms:CreateGrant on the EBS key must be limited to grants EC2 makes for the volume (kms:GrantIsForAWSResource)."
  }
}
