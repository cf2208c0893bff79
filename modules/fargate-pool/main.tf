locals {
  full_name = "${var.prefix}-${var.name}"

  # arn:<partition>:ec2:<region>:<account>:security-group/<id> — where the pool lives, read
  # from a resource of this module rather than from data sources that call AWS at plan.
  arn_parts  = split(":", aws_security_group.this.arn)
  partition  = local.arn_parts[1]
  region     = local.arn_parts[3]
  account_id = local.arn_parts[4]
  dns_suffix = startswith(local.partition, "aws-cn") ? "amazonaws.com.cn" : "amazonaws.com"
  ssm_arn    = "arn:${local.partition}:ssm:${local.region}:${local.account_id}"

  jit_path_arn       = "${local.ssm_arn}:parameter/${var.prefix}/jit"
  jit_parameters_arn = "${local.jit_path_arn}/*"

  # The GitHub App's key and webhook secrets: the default path, and wherever the caller
  # says they are. No job may read them, whatever else the role is given.
  secret_parameter_arns = distinct(concat(
    ["${local.ssm_arn}:parameter/${var.prefix}/github-app", "${local.ssm_arn}:parameter/${var.prefix}/github-app/*"],
    [for name in var.secret_parameters : "${local.ssm_arn}:parameter/${trimprefix(name, "/")}"],
  ))

  # <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>(:<tag>|@<digest>): the one
  # repository the execution role may pull from (it may be in another account or region).
  image_parts        = regex("^([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/([^:@]+)", var.image)
  ecr_repository_arn = "arn:${local.partition}:ecr:${local.image_parts[1]}:${local.image_parts[0]}:repository/${local.image_parts[2]}"

  log_group     = "/skiff/${var.prefix}/${var.name}"
  log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group}"


  container_name = "runner"
}

# ---------------------------------------------------------------------------------------
# Security group: egress only. No ingress rule exists, so nothing can connect to a task.
# ---------------------------------------------------------------------------------------

resource "aws_security_group" "this" {
  name        = "${local.full_name}-task"
  description = "skiff ${local.full_name} Fargate runners: egress only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${local.full_name}-task" })

  # No inline rules: Terraform then removes the allow-all egress rule AWS adds by default,
  # and the egress rules below are the only ones.
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each = { for i, rule in var.egress_rules : tostring(i) => rule }

  security_group_id = aws_security_group.this.id
  description       = each.value.description
  cidr_ipv4         = each.value.cidr_ipv4
  cidr_ipv6         = each.value.cidr_ipv6
  prefix_list_id    = each.value.prefix_list_id
  ip_protocol       = each.value.ip_protocol
  from_port         = contains(["tcp", "udp"], each.value.ip_protocol) ? each.value.from_port : null
  to_port           = contains(["tcp", "udp"], each.value.ip_protocol) ? each.value.to_port : null
  tags              = var.tags
}

# ---------------------------------------------------------------------------------------
# Task role: what the runner (and so every job step) holds. It may read and delete its own
# JIT config and nothing else (README: "A task can read only its own JIT config").
# ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "task_assume" {
  statement {
    sid     = "EcsTasksAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    # Only for tasks of this account and region (confused deputy).
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "task" {
  name                 = "${local.full_name}-task"
  description          = "skiff ${local.full_name} Fargate runner tasks"
  assume_role_policy   = data.aws_iam_policy_document.task_assume.json
  path                 = var.iam.path
  permissions_boundary = var.iam.permissions_boundary_arn
  tags                 = var.tags
}

data "aws_iam_policy_document" "task" {
  # Scale-up writes /<prefix>/jit/<task-id> right after RunTask and tags it
  # skiff:task-userid = <this role's unique ID>:<task-id>. ECS delivers the role to the task
  # as a session named after the task ID, so ${aws:userid} of the task's requests is that
  # same string, and each task matches only its own parameter. Should the session name
  # ever be something else, nothing matches and the task times out: it fails closed.
  statement {
    sid       = "ReadAndDeleteOwnJitConfig"
    actions   = ["ssm:GetParameter", "ssm:DeleteParameter"]
    resources = [local.jit_parameters_arn]

    condition {
      test     = "StringEquals"
      variable = "ssm:resourceTag/skiff:task-userid"
      values   = ["$${aws:userid}"]
    }
  }

  # Whatever else the role is given (a policy an operator attaches, a boundary that allows
  # more), another task's JIT config, or an untagged one, stays out of reach.
  statement {
    sid       = "DenyOtherTasksJitConfigs"
    effect    = "Deny"
    actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory", "ssm:DeleteParameter", "ssm:DeleteParameters"]
    resources = [local.jit_parameters_arn]

    condition {
      test     = "StringNotEquals"
      variable = "ssm:resourceTag/skiff:task-userid"
      values   = ["$${aws:userid}"]
    }
  }

  # The tag is the whole access rule, so no task may write a JIT parameter or its tags:
  # re-tagging another task's parameter with one's own user ID would otherwise open it.
  statement {
    sid       = "DenyWritingJitConfigs"
    effect    = "Deny"
    actions   = ["ssm:PutParameter", "ssm:LabelParameterVersion", "ssm:UnlabelParameterVersion", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource"]
    resources = [local.jit_path_arn, local.jit_parameters_arn]
  }

  statement {
    sid       = "DenyListingJitConfigs"
    effect    = "Deny"
    actions   = ["ssm:GetParametersByPath", "ssm:DescribeParameters"]
    resources = [local.jit_path_arn, local.jit_parameters_arn]
  }

  statement {
    sid       = "DenyGitHubAppSecrets"
    effect    = "Deny"
    actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory", "ssm:GetParametersByPath"]
    resources = local.secret_parameter_arns
  }

  dynamic "statement" {
    for_each = var.jit_kms_key_arn == null ? [] : [var.jit_kms_key_arn]

    content {
      sid       = "DecryptJitConfig"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${local.region}.${local.dns_suffix}"]
      }
    }
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "jit-config"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# ---------------------------------------------------------------------------------------
# Execution role: what ECS itself uses to start the task — pull the image, write its logs.
# It never reaches the containers.
# ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "execution_assume" {
  statement {
    sid     = "EcsTasksAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  # <prefix>-<pool>-task-exec: at most 20 + 1 + 32 + 10 characters, within IAM's 64.
  name                 = "${local.full_name}-task-exec"
  description          = "ECS pulls the image and writes the logs of skiff ${local.full_name} tasks"
  assume_role_policy   = data.aws_iam_policy_document.execution_assume.json
  path                 = var.iam.path
  permissions_boundary = var.iam.permissions_boundary_arn
  tags                 = var.tags
}

data "aws_iam_policy_document" "execution" {
  # GetAuthorizationToken has no resource-level permissions; the token alone pulls nothing.
  statement {
    sid       = "GetEcrToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullRunnerImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [local.ecr_repository_arn]
  }

  statement {
    sid       = "WriteTaskLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [local.log_group_arn, "${local.log_group_arn}:log-stream:*"]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-and-log"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group
  retention_in_days = var.logs.retention_in_days
  kms_key_id        = var.logs.kms_key_arn
  tags              = var.tags
}

# ---------------------------------------------------------------------------------------
# Task definition: what scale-up's RunTask starts. It carries no secret: the entrypoint
# fetches the JIT config from SSM itself, and RunTask passes no overrides.
# ---------------------------------------------------------------------------------------

resource "aws_ecs_task_definition" "this" {
  family                   = "${local.full_name}-runner"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.cpu)
  memory                   = tostring(var.memory)
  task_role_arn            = aws_iam_role.task.arn
  execution_role_arn       = aws_iam_role.execution.arn
  tags                     = var.tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = upper(var.architecture)
  }

  dynamic "ephemeral_storage" {
    for_each = var.ephemeral_storage_gb == null ? [] : [var.ephemeral_storage_gb]

    content {
      size_in_gib = ephemeral_storage.value
    }
  }

  container_definitions = jsonencode([{
    name      = local.container_name
    image     = var.image
    essential = true
    # Configuration, not secrets: where the JIT config lives and how long to wait for it.
    environment = [
      { name = "SKIFF_BOOT_TIMEOUT", value = tostring(var.boot_timeout_seconds) },
      { name = "SKIFF_POOL", value = var.name },
      { name = "SKIFF_PREFIX", value = var.prefix },
    ]
    # An init process as PID 1 reaps what job steps leave behind and forwards SIGTERM
    # (Fargate Spot's two-minute warning) to the entrypoint.
    linuxParameters = { initProcessEnabled = true }
    # Fargate's maximum: the runner gets two minutes between SIGTERM and SIGKILL.
    stopTimeout = 120
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = local.log_group
        "awslogs-region"        = local.region
        "awslogs-stream-prefix" = local.container_name
      }
    }
  }])

  # The awslogs driver writes to the group from the task's first second.
  depends_on = [aws_cloudwatch_log_group.this]
}
