locals {
  # arn:<partition>:sqs:<region>:<account>:<name> — where skiff runs, read from an input
  # rather than from data sources that would call AWS at plan.
  arn_parts  = split(":", var.jobs_queue.arn)
  partition  = local.arn_parts[1]
  region     = local.arn_parts[3]
  account_id = local.arn_parts[4]
  dns_suffix = startswith(local.partition, "aws-cn") ? "amazonaws.com.cn" : "amazonaws.com"
  ec2_arn    = "arn:${local.partition}:ec2:${local.region}:${local.account_id}"
  ssm_arn    = "arn:${local.partition}:ssm:${local.region}:${local.account_id}"

  jit_parameters_arn = "${local.ssm_arn}:parameter/${var.prefix}/jit/*"
  app_key_arn        = "${local.ssm_arn}:parameter/${trimprefix(var.github_app.key_parameter, "/")}"

  # The pools as scale-up launches them: their launch templates and subnets, clusters and
  # task definitions come from the same JSON the Lambda reads, so the policy allows
  # exactly what the function may use. A pool without a target is an EC2 pool.
  pools                = jsondecode(var.pools_json)
  ec2_pools            = [for p in local.pools : p if try(p.target, "ec2") == "ec2"]
  fargate_pools        = [for p in local.pools : p if try(p.target, "ec2") == "fargate"]
  launch_template_arns = distinct([for p in local.ec2_pools : "${local.ec2_arn}:launch-template/${p.launchTemplateId}"])
  subnet_arns          = distinct(flatten([for p in local.ec2_pools : [for s in p.subnetIds : "${local.ec2_arn}:subnet/${s}"]]))

  # modules/runners gives Fargate pools their cluster and task definition by ARN. RunTask
  # is allowed on every revision of a pool's task definition family, so a new revision
  # needs no policy change; tasks are arn:…:task/<cluster-name>/<task-id>.
  ecs_cluster_arns            = distinct([for p in local.fargate_pools : p.cluster])
  task_definition_family_arns = distinct([for p in local.fargate_pools : "${regex("^(arn:[^:]+:ecs:[^:]+:[0-9]+:task-definition/[^:]+)", p.taskDefinition)[0]}:*"])
  ecs_task_arns               = [for c in local.ecs_cluster_arns : "${replace(c, ":cluster/", ":task/")}/*"]

  # What scale-up's role may do with EC2 pools, one statement per purpose.
  ec2_statements = [
    {
      # CreateFleet and the RunInstances it authorises must name a launch template; only
      # the pools' templates are allowed.
      sid        = "LaunchFromPoolTemplates"
      actions    = ["ec2:CreateFleet", "ec2:RunInstances"]
      resources  = local.launch_template_arns
      conditions = []
    },
    {
      sid        = "LaunchIntoPoolNetworks"
      actions    = ["ec2:CreateFleet", "ec2:RunInstances"]
      resources  = concat(local.subnet_arns, distinct([for id in var.runners.security_group_ids : "${local.ec2_arn}:security-group/${id}"]))
      conditions = []
    },
    {
      sid     = "CreateRunnerInstances"
      actions = ["ec2:CreateFleet", "ec2:RunInstances"]
      resources = [
        "${local.ec2_arn}:fleet/*",
        "${local.ec2_arn}:volume/*",
        "${local.ec2_arn}:network-interface/*",
        "${local.ec2_arn}:spot-instances-request/*",
        "arn:${local.partition}:ec2:${local.region}::image/*",
      ]
      conditions = []
    },
    {
      # The instance itself: launched only from a pool's launch template (ec2:LaunchTemplate,
      # which RunInstances sets on every resource of a launch from a template) and only with
      # skiff's prefix tag in the request, so nothing this role starts escapes the reconcile
      # (which finds instances by that tag) or runs another template's AMI and user data.
      sid       = "LaunchTaggedInstancesFromPoolTemplates"
      actions   = ["ec2:RunInstances"]
      resources = ["${local.ec2_arn}:instance/*"]
      conditions = [
        { test = "ArnEquals", variable = "ec2:LaunchTemplate", values = local.launch_template_arns },
        { test = "StringEquals", variable = "aws:RequestTag/skiff:prefix", values = [var.prefix] },
      ]
    },
    {
      # CreateFleet is allowed on instances only with the prefix tag as well; the template
      # check rides on the RunInstances authorisation an instant fleet makes for each launch.
      sid        = "CreateFleetOfTaggedInstances"
      actions    = ["ec2:CreateFleet"]
      resources  = ["${local.ec2_arn}:instance/*"]
      conditions = [{ test = "StringEquals", variable = "aws:RequestTag/skiff:prefix", values = [var.prefix] }]
    },
    {
      sid        = "TagOnlyAtLaunch"
      actions    = ["ec2:CreateTags"]
      resources  = ["${local.ec2_arn}:fleet/*", "${local.ec2_arn}:instance/*", "${local.ec2_arn}:volume/*", "${local.ec2_arn}:network-interface/*"]
      conditions = [{ test = "StringEquals", variable = "ec2:CreateAction", values = ["CreateFleet", "RunInstances"] }]
    },
    {
      sid        = "TerminateOwnInstances"
      actions    = ["ec2:TerminateInstances"]
      resources  = ["${local.ec2_arn}:instance/*"]
      conditions = [{ test = "StringEquals", variable = "aws:ResourceTag/skiff:prefix", values = [var.prefix] }]
    },
    {
      sid        = "PassRunnerRoles"
      actions    = ["iam:PassRole"]
      resources  = distinct(var.runners.role_arns)
      conditions = [{ test = "StringEquals", variable = "iam:PassedToService", values = ["ec2.amazonaws.com"] }]
    },
  ]

  # What scale-up's role may do with Fargate pools, one statement per purpose.
  fargate_statements = [
    {
      # RunTask on the pools' task definitions, into skiff's cluster only.
      sid        = "RunPoolTasks"
      actions    = ["ecs:RunTask"]
      resources  = local.task_definition_family_arns
      conditions = [{ test = "ArnEquals", variable = "ecs:cluster", values = local.ecs_cluster_arns }]
    },
    {
      # RunTask's tags need ecs:TagResource: allowed only within a RunTask that carries
      # skiff's prefix tag, so no existing task can be re-tagged.
      sid       = "TagTasksAtLaunch"
      actions   = ["ecs:TagResource"]
      resources = local.ecs_task_arns
      conditions = [
        { test = "StringEquals", variable = "ecs:CreateAction", values = ["RunTask"] },
        { test = "StringEquals", variable = "aws:RequestTag/skiff:prefix", values = [var.prefix] },
      ]
    },
    {
      # Tasks scale-up started but cannot use (a batch it could not bind to jobs).
      sid        = "StopOwnTasks"
      actions    = ["ecs:StopTask"]
      resources  = local.ecs_task_arns
      conditions = [{ test = "ArnEquals", variable = "ecs:cluster", values = local.ecs_cluster_arns }]
    },
    {
      sid        = "PassTaskRoles"
      actions    = ["iam:PassRole"]
      resources  = distinct(var.runners.fargate_role_arns)
      conditions = [{ test = "StringEquals", variable = "iam:PassedToService", values = ["ecs-tasks.amazonaws.com"] }]
    },
  ]

  environment = merge(
    {
      SKIFF_PREFIX                   = var.prefix
      SKIFF_POOLS                    = var.pools_json
      SKIFF_STATE_TABLE              = var.state_table.name
      SKIFF_JOBS_QUEUE_URL           = var.jobs_queue.url
      SKIFF_GITHUB_APP_ID            = var.github_app.id
      SKIFF_GITHUB_APP_KEY_PARAMETER = var.github_app.key_parameter
      SKIFF_GITHUB_API_URL           = trimsuffix(var.github_app.api_url, "/")
      SKIFF_FRESH_MESSAGE_SECONDS    = tostring(var.fresh_message_seconds)
    },
    var.jit_kms_key_arn == null ? {} : { SKIFF_JIT_KMS_KEY_ID = var.jit_kms_key_arn },
  )

  event_source = merge(var.event_source, { queue_arn = var.jobs_queue.arn })
}

module "function" {
  source = "../function"

  name         = var.name
  description  = "skiff scale-up: one ephemeral runner per queued job"
  function     = var.function
  logging      = var.logging
  environment  = local.environment
  policy_json  = data.aws_iam_policy_document.this.json
  event_source = local.event_source
  vpc          = var.vpc
  iam          = var.iam
  tags         = var.tags
}

# ---------------------------------------------------------------------------------------
# IAM: one statement per purpose, each as narrow as the service allows. The function
# module puts WriteOwnLogs before these.
# ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "ConsumeJobsQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    resources = [var.jobs_queue.arn]
  }

  statement {
    # A job waiting for a slot or capacity goes back as a new delayed message, so waiting
    # spends none of the queue's receives.
    sid       = "RequeueWaitingJobs"
    actions   = ["sqs:SendMessage"]
    resources = [var.jobs_queue.arn]
  }

  dynamic "statement" {
    for_each = var.queue_kms_key_arn == null ? [] : [var.queue_kms_key_arn]

    content {
      sid       = "DecryptJobsQueue"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sqs.${local.region}.${local.dns_suffix}"]
      }
    }
  }

  statement {
    sid       = "ClaimJobsAndReserveSlots"
    actions   = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem", "dynamodb:Query"]
    resources = [var.state_table.arn]
  }

  statement {
    sid       = "ReadGitHubAppKey"
    actions   = ["ssm:GetParameter", "ssm:GetParameters"]
    resources = [local.app_key_arn]
  }

  dynamic "statement" {
    for_each = var.github_app.key_kms_key_arn == null ? [] : [var.github_app.key_kms_key_arn]

    content {
      sid       = "DecryptGitHubAppKey"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${local.region}.${local.dns_suffix}"]
      }
    }
  }

  statement {
    sid       = "WriteJitConfigs"
    actions   = ["ssm:PutParameter", "ssm:AddTagsToResource"]
    resources = [local.jit_parameters_arn]
  }

  statement {
    sid       = "DeleteJitConfigs"
    actions   = ["ssm:DeleteParameter"]
    resources = [local.jit_parameters_arn]
  }

  dynamic "statement" {
    for_each = var.jit_kms_key_arn == null ? [] : [var.jit_kms_key_arn]

    content {
      sid       = "EncryptJitConfigs"
      actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${local.region}.${local.dns_suffix}"]
      }
    }
  }

  # What the pools' targets need, one statement per purpose: local.ec2_statements with an
  # EC2 pool, local.fargate_statements with a Fargate pool (an EC2 statement without an
  # EC2 pool would name no resource, which IAM refuses).
  dynamic "statement" {
    for_each = concat(length(local.ec2_pools) > 0 ? local.ec2_statements : [], length(local.fargate_pools) > 0 ? local.fargate_statements : [])

    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }

  # An encrypted root volume under a customer managed key: EC2 creates it with the
  # caller's permissions on the key (an instant fleet's on-demand launches) and holds a
  # grant for the volume's life.
  dynamic "statement" {
    for_each = var.ebs_kms_key_arn == null || length(local.ec2_pools) == 0 ? [] : [var.ebs_kms_key_arn]

    content {
      sid       = "UseEbsKeyForRunnerVolumes"
      actions   = ["kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ec2.${local.region}.${local.dns_suffix}"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.ebs_kms_key_arn == null || length(local.ec2_pools) == 0 ? [] : [var.ebs_kms_key_arn]

    content {
      sid       = "GrantEbsKeyToEc2"
      actions   = ["kms:CreateGrant"]
      resources = [statement.value]

      condition {
        test     = "Bool"
        variable = "kms:GrantIsForAWSResource"
        values   = ["true"]
      }

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ec2.${local.region}.${local.dns_suffix}"]
      }
    }
  }
}

# ---------------------------------------------------------------------------------------
# Where these resources lived before modules/function: an existing deployment moves them
# instead of replacing them (same names, so a replacement would collide).
# ---------------------------------------------------------------------------------------

moved {
  from = aws_cloudwatch_log_group.this
  to   = module.function.aws_cloudwatch_log_group.this
}

moved {
  from = aws_lambda_function.this
  to   = module.function.aws_lambda_function.this
}

moved {
  from = aws_iam_role.this
  to   = module.function.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.this
  to   = module.function.aws_iam_role_policy.this
}

moved {
  from = aws_lambda_event_source_mapping.jobs
  to   = module.function.aws_lambda_event_source_mapping.this[0]
}
