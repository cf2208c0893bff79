locals {
  full_name = "${var.prefix}-${var.name}"

  # versions.json is the one source of truth for the runner version and its checksums.
  versions = jsondecode(file("${path.module}/../../versions.json"))

  # The user data holds no secret: the bootstrap fetches the JIT config from SSM itself.
  user_data = templatefile("${path.module}/../../packer/runner/user-data.sh.tftpl", {
    prefix               = var.prefix
    boot_timeout_seconds = var.boot_timeout_seconds
    runner_version       = local.versions.runner.version
    runner_sha256_x64    = local.versions.runner.sha256.x64
    runner_sha256_arm64  = local.versions.runner.sha256.arm64
    bootstrap_script     = var.embed_bootstrap ? file("${path.module}/../../packer/runner/files/skiff-bootstrap.sh") : ""
    hooks                = var.hooks
    log_group            = var.cloudwatch_agent_logs.enabled ? local.runner_log_group : ""
  })
  # EC2 counts user data in bytes before base64: recovered exactly from the base64 length
  # and its padding, since length() counts characters.
  user_data_base64 = base64encode(local.user_data)
  user_data_bytes  = length(local.user_data_base64) / 4 * 3 - length(regexall("=", substr(local.user_data_base64, -2, 2)))

  # arn:<partition>:ec2:<region>:<account>:security-group/<id> — where the pool lives, read
  # from a resource of this module rather than from data sources that call AWS at plan.
  arn_parts  = split(":", aws_security_group.this.arn)
  partition  = local.arn_parts[1]
  region     = local.arn_parts[3]
  account_id = local.arn_parts[4]
  dns_suffix = startswith(local.partition, "aws-cn") ? "amazonaws.com.cn" : "amazonaws.com"

  jit_parameters_arn = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${var.prefix}/jit/*"

  ssm_arn = "arn:${local.partition}:ssm:${local.region}:${local.account_id}"

  # The GitHub App's key and webhook secrets: the default path, and wherever the caller
  # says they are. No job may read them, whatever else the role is given.
  secret_parameter_arns = distinct(concat(
    ["${local.ssm_arn}:parameter/${var.prefix}/github-app", "${local.ssm_arn}:parameter/${var.prefix}/github-app/*"],
    [for name in var.secret_parameters : "${local.ssm_arn}:parameter/${trimprefix(name, "/")}"],
  ))

  runner_log_group     = "/skiff/${var.prefix}/${var.name}"
  runner_log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.runner_log_group}"

  launch_tag_resource_types = length(var.tags) > 0 ? ["instance", "volume", "network-interface"] : []
}

# ---------------------------------------------------------------------------------------
# Security group: egress only. No ingress rule exists, so nothing can connect to a runner.
# ---------------------------------------------------------------------------------------

resource "aws_security_group" "this" {
  name        = "${local.full_name}-runner"
  description = "skiff ${local.full_name} runners: egress only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${local.full_name}-runner" })

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
# Instance role: read and delete its own JIT config, nothing else (plus opt-in Session
# Manager and log shipping).

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "EC2AssumesRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${local.full_name}-runner"
  description          = "skiff ${local.full_name} runner instances"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  path                 = var.iam.path
  permissions_boundary = var.iam.permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_instance_profile" "this" {
  name = "${local.full_name}-runner"
  role = aws_iam_role.this.name
  tags = var.tags
}

data "aws_iam_policy_document" "this" {
  # Scale-up tags /<prefix>/jit/<id> with skiff:instance-arn = the instance's ARN. Requests
  # signed with an instance profile's credentials carry ec2:SourceInstanceARN, the ARN of
  # that instance, and any single-valued key can be a policy variable: so each instance
  # matches only the parameter tagged with its own ARN.
  statement {
    sid       = "ReadAndDeleteOwnJitConfig"
    actions   = ["ssm:GetParameter", "ssm:DeleteParameter"]
    resources = [local.jit_parameters_arn]

    condition {
      test     = "StringEquals"
      variable = "ssm:resourceTag/skiff:instance-arn"
      values   = ["$${ec2:SourceInstanceARN}"]
    }
  }

  # Belt and braces: whatever else the role is given (AmazonSSMManagedInstanceCore grants
  # ssm:GetParameter on *), another instance's JIT config, or an untagged one, stays denied.
  statement {
    sid       = "DenyOtherInstancesJitConfigs"
    effect    = "Deny"
    actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory", "ssm:DeleteParameter", "ssm:DeleteParameters", "ssm:PutParameter", "ssm:LabelParameterVersion"]
    resources = [local.jit_parameters_arn]

    condition {
      test     = "StringNotEquals"
      variable = "ssm:resourceTag/skiff:instance-arn"
      values   = ["$${ec2:SourceInstanceARN}"]
    }
  }

  statement {
    sid       = "DenyListingJitConfigs"
    effect    = "Deny"
    actions   = ["ssm:GetParametersByPath"]
    resources = ["arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${var.prefix}/jit", local.jit_parameters_arn]
  }

  # Session Manager needs these and nothing else (Session Manager's minimal instance
  # profile; none of them takes a resource narrower than *). AmazonSSMManagedInstanceCore
  # is not attached: it also allows ssm:GetParameter* on every parameter.
  dynamic "statement" {
    for_each = var.session_manager ? [1] : []

    content {
      sid       = "SessionManagerAgent"
      actions   = ["ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
      resources = ["*"]
    }
  }

  # The bootstrap's boot signals (SelfUpdated, BootToOnlineSeconds, RunnerReleaseAgeDays),
  # which the dashboard's runner-freshness alarms read. PutMetricData has no resource-level
  # permissions: the namespace condition keeps the role to skiff's own.
  statement {
    sid       = "PublishBootSignals"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["skiff/runner"]
    }
  }

  # Whatever else the role is given (a policy an operator attaches, a boundary that allows
  # more), the App's secrets stay out of reach.
  statement {
    sid       = "DenyGitHubAppSecrets"
    effect    = "Deny"
    actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory", "ssm:GetParametersByPath"]
    resources = local.secret_parameter_arns
  }

  dynamic "statement" {
    for_each = var.cloudwatch_agent_logs.enabled ? [1] : []

    content {
      sid       = "WriteRunnerLogs"
      actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      resources = [local.runner_log_group_arn, "${local.runner_log_group_arn}:log-stream:*"]
    }
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

resource "aws_iam_role_policy" "this" {
  name   = "jit-config"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_cloudwatch_log_group" "runner" {
  count = var.cloudwatch_agent_logs.enabled ? 1 : 0

  name              = local.runner_log_group
  retention_in_days = var.cloudwatch_agent_logs.retention_in_days
  kms_key_id        = var.cloudwatch_agent_logs.kms_key_arn
  tags              = var.tags
}

# ---------------------------------------------------------------------------------------
# Launch template: what scale-up's CreateFleet launches (instance types and subnets come
# from the fleet's overrides).
# ---------------------------------------------------------------------------------------

resource "aws_launch_template" "this" {
  name                                 = "${local.full_name}-runner"
  description                          = "skiff ${local.full_name} ephemeral runner"
  image_id                             = var.ami_id
  instance_initiated_shutdown_behavior = "terminate"
  update_default_version               = true
  user_data                            = local.user_data_base64
  tags                                 = var.tags

  iam_instance_profile {
    arn = aws_iam_instance_profile.this.arn
  }

  # IMDSv2 only; hop limit 1 keeps the instance's credentials away from job containers
  # on a bridge network; instance tags stay out of the metadata.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  # The group at the top level, not on a network interface block: scale-up's CreateFleet
  # names the subnet in its overrides, and EC2 Fleet then does not use the template's
  # network interfaces (README). A public IPv4 address comes from the subnet's own
  # map_public_ip_on_launch.
  vpc_security_group_ids = [aws_security_group.this.id]

  block_device_mappings {
    device_name = var.root_volume.device_name

    ebs {
      volume_type           = "gp3"
      volume_size           = var.root_volume.size_gb
      iops                  = var.root_volume.iops
      throughput            = var.root_volume.throughput
      encrypted             = true
      kms_key_id            = var.root_volume.kms_key_arn
      delete_on_termination = true
    }
  }

  dynamic "tag_specifications" {
    for_each = toset(local.launch_tag_resource_types)

    content {
      resource_type = tag_specifications.value
      tags          = var.tags
    }
  }

  lifecycle {
    precondition {
      condition     = local.user_data_bytes <= 16384
      error_message = "pools[\"${var.name}\"]: the rendered user data is ${local.user_data_bytes} bytes; EC2 allows 16384. ${var.embed_bootstrap ? "On a stock AMI the embedded bootstrap takes most of it: shorten pools[*].hooks, move pre_install/post_install into a baked AMI (packer/runner) and set baked_ami = true, which leaves about 13.7 KB for hooks." : "Shorten pools[*].hooks (job_started and job_completed can call a script the AMI holds)."}"
    }
  }
}
