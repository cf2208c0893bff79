# ---------------------------------------------------------------------------------------
# The build's role: what Packer's amazon-ebs builder does, limited to the instance, key
# pair, security group, images and snapshots of this pipeline, plus its two parameters and
# its log group. One statement per purpose; "*" only where EC2 has no resource-level
# permission (Describe*).
# ---------------------------------------------------------------------------------------

locals {
  ec2_arn   = "arn:${local.partition}:ec2:${local.region}:${local.account_id}"
  image_arn = "arn:${local.partition}:ec2:${local.region}::image/*"
  vpc_arn   = var.network.vpc_id == null ? null : "${local.ec2_arn}:vpc/${var.network.vpc_id}"
  # The build instance carries this tag from launch (the template's run_tags); the AMIs and
  # snapshots carry skiff:image-prefix = <prefix> (the template's tags and snapshot_tags).
  build_tag = { key = "skiff:role", value = "ami-build" }
}

data "aws_iam_policy_document" "assume_codebuild" {
  statement {
    sid     = "CodeBuildAssumesRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["codebuild.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = local.name
  description          = "skiff ${var.prefix}: CodeBuild runs packer build for the runner AMI"
  assume_role_policy   = data.aws_iam_policy_document.assume_codebuild.json
  path                 = var.iam.path
  permissions_boundary = var.iam.permissions_boundary_arn
  tags                 = var.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "WriteBuildLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "ReadAndPublishImageParameters"
    actions   = ["ssm:GetParameter", "ssm:PutParameter"]
    resources = [for name in values(local.parameters) : "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${name}"]
  }

  # EC2's Describe actions have no resource-level permissions.
  statement {
    sid = "DescribeForPacker"
    actions = [
      "ec2:DescribeImageAttribute",
      "ec2:DescribeImages",
      "ec2:DescribeInstanceStatus",
      "ec2:DescribeInstances",
      "ec2:DescribeKeyPairs",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:DescribeRegions",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSnapshots",
      "ec2:DescribeSubnets",
      "ec2:DescribeTags",
      "ec2:DescribeVolumes",
      "ec2:DescribeVpcs",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "LaunchOnlyTaggedBuildInstances"
    actions   = ["ec2:RunInstances"]
    resources = ["${local.ec2_arn}:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.build_tag.key}"
      values   = [local.build_tag.value]
    }
  }

  statement {
    sid       = "LaunchFromAmazonImages"
    actions   = ["ec2:RunInstances"]
    resources = [local.image_arn]

    condition {
      test     = "StringEquals"
      variable = "ec2:Owner"
      values   = ["amazon"]
    }
  }

  statement {
    sid     = "LaunchWithTemporaryResources"
    actions = ["ec2:RunInstances"]
    resources = [
      "${local.ec2_arn}:volume/*",
      "${local.ec2_arn}:network-interface/*",
      "${local.ec2_arn}:security-group/*",
      "${local.ec2_arn}:key-pair/packer_*",
      var.network.subnet_id == null ? "${local.ec2_arn}:subnet/*" : "${local.ec2_arn}:subnet/${var.network.subnet_id}",
    ]
  }

  # Tags given in the create call itself (run_tags at launch; Packer may tag its temporary
  # security group and key pair as it creates them). Nothing existing can be retagged here.
  statement {
    sid     = "TagOnCreate"
    actions = ["ec2:CreateTags"]
    resources = [
      "${local.ec2_arn}:instance/*",
      "${local.ec2_arn}:volume/*",
      "${local.ec2_arn}:network-interface/*",
      "${local.ec2_arn}:security-group/*",
      "${local.ec2_arn}:key-pair/packer_*",
    ]

    condition {
      test     = "StringEquals"
      variable = "ec2:CreateAction"
      values   = ["RunInstances", "CreateSecurityGroup", "CreateKeyPair"]
    }
  }

  statement {
    sid       = "TagOwnImagesAndSnapshots"
    actions   = ["ec2:CreateTags"]
    resources = [local.image_arn, "${local.ec2_arn}:snapshot/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/skiff:image-prefix"
      values   = [var.prefix]
    }
  }

  statement {
    sid = "ManageOnlyBuildInstances"
    actions = [
      "ec2:CreateImage",
      "ec2:ModifyInstanceAttribute",
      "ec2:ModifyInstanceMetadataOptions",
      "ec2:StopInstances",
      "ec2:TerminateInstances",
    ]
    resources = ["${local.ec2_arn}:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "ec2:ResourceTag/${local.build_tag.key}"
      values   = [local.build_tag.value]
    }
  }

  statement {
    sid       = "CreateImagesAndSnapshots"
    actions   = ["ec2:CreateImage", "ec2:CopyImage"]
    resources = [local.image_arn, "${local.ec2_arn}:snapshot/*"]
  }

  # IMDSv2-only marking (the template's post-processor). No ec2:ModifySnapshotAttribute and
  # no launch-permission change elsewhere: nothing here can share an image or snapshot.
  statement {
    sid       = "MarkOwnImagesImdsV2"
    actions   = ["ec2:ModifyImageAttribute"]
    resources = [local.image_arn]

    condition {
      test     = "StringEquals"
      variable = "ec2:ResourceTag/skiff:image-prefix"
      values   = [var.prefix]
    }
  }

  statement {
    sid       = "TemporaryKeyPair"
    actions   = ["ec2:CreateKeyPair", "ec2:DeleteKeyPair"]
    resources = ["${local.ec2_arn}:key-pair/packer_*"]
  }

  statement {
    sid       = "CreateTemporarySecurityGroup"
    actions   = ["ec2:CreateSecurityGroup"]
    resources = ["${local.ec2_arn}:security-group/*", coalesce(local.vpc_arn, "${local.ec2_arn}:vpc/*")]
  }

  statement {
    sid       = "ManageTemporarySecurityGroup"
    actions   = ["ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteSecurityGroup"]
    resources = ["${local.ec2_arn}:security-group/*"]

    dynamic "condition" {
      for_each = local.vpc_arn == null ? [] : [local.vpc_arn]

      content {
        test     = "ArnEquals"
        variable = "ec2:Vpc"
        values   = [condition.value]
      }
    }
  }

  statement {
    sid       = "PruneOwnImagesAndSnapshots"
    actions   = ["ec2:DeregisterImage", "ec2:DeleteSnapshot"]
    resources = [local.image_arn, "${local.ec2_arn}:snapshot/*"]

    condition {
      test     = "StringEquals"
      variable = "ec2:ResourceTag/skiff:image-prefix"
      values   = [var.prefix]
    }
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]

    content {
      sid       = "EncryptSnapshotsWithKey"
      actions   = ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ec2.${local.region}.${local.dns_suffix}"]
      }
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "packer-build"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

# ---------------------------------------------------------------------------------------
# The schedule's role: start this project's builds, nothing else.
# ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume_events" {
  statement {
    sid     = "EventBridgeAssumesRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "schedule" {
  name                 = "${local.name}-schedule"
  description          = "skiff ${var.prefix}: EventBridge starts the image pipeline's checks"
  assume_role_policy   = data.aws_iam_policy_document.assume_events.json
  path                 = var.iam.path
  permissions_boundary = var.iam.permissions_boundary_arn
  tags                 = var.tags
}

data "aws_iam_policy_document" "schedule" {
  statement {
    sid       = "StartImagePipelineBuilds"
    actions   = ["codebuild:StartBuild"]
    resources = [aws_codebuild_project.this.arn]
  }
}

resource "aws_iam_role_policy" "schedule" {
  name   = "start-build"
  role   = aws_iam_role.schedule.id
  policy = data.aws_iam_policy_document.schedule.json
}
