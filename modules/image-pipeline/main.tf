locals {
  name             = "${var.prefix}-image-pipeline"
  parameter_prefix = "/${var.prefix}/ami"
  parameters       = { for arch in var.architectures : arch => "${local.parameter_prefix}/${arch}" }

  # arn:<partition>:logs:<region>:<account>:log-group:<name> — where the pipeline lives, read
  # from a resource of this module rather than from data sources that call AWS at plan.
  arn_parts  = split(":", aws_cloudwatch_log_group.this.arn)
  partition  = local.arn_parts[1]
  region     = local.arn_parts[3]
  account_id = local.arn_parts[4]
  dns_suffix = startswith(local.partition, "aws-cn") ? "amazonaws.com.cn" : "amazonaws.com"
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/codebuild/${local.name}"
  retention_in_days = var.build.log_retention_in_days
  tags              = var.tags
}

# One project for checks and builds: each run clones source_repository at its ref and runs
# modules/image-pipeline/scripts/build.sh from it, which decides per architecture whether
# to run `packer build packer/runner/runner.pkr.hcl` (the same template and scripts as a
# build by hand), then prunes old images. Nothing of the image is restated here.
resource "aws_codebuild_project" "this" {
  name                   = local.name
  description            = "skiff ${var.prefix}: rebuild the runner AMI (packer/runner) when versions.json changes or the image ages; publish it to ${local.parameter_prefix}/<arch>"
  service_role           = aws_iam_role.this.arn
  build_timeout          = var.build.timeout_minutes
  queued_timeout         = 60
  concurrent_build_limit = 1
  tags                   = var.tags

  artifacts {
    type = "NO_ARTIFACTS"
  }

  source {
    type      = "NO_SOURCE"
    buildspec = file("${path.module}/buildspec.yml")
  }

  environment {
    type            = "LINUX_CONTAINER"
    compute_type    = var.build.compute_type
    image           = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
    privileged_mode = false

    dynamic "environment_variable" {
      for_each = {
        SKIFF_SOURCE_URL         = var.source_repository.url
        SKIFF_SOURCE_REF         = var.source_repository.ref
        SKIFF_PREFIX             = var.prefix
        SKIFF_ARCHES             = join(" ", var.architectures)
        SKIFF_PARAMETER_PREFIX   = local.parameter_prefix
        SKIFF_KEEP_IMAGES        = tostring(var.keep_images)
        SKIFF_REBUILD_AFTER_DAYS = tostring(var.schedule.rebuild_after_days)
        SKIFF_SUBNET_ID          = var.network.subnet_id == null ? "" : var.network.subnet_id
        SKIFF_KMS_KEY_ID         = var.kms_key_arn == null ? "" : var.kms_key_arn
        SKIFF_PACKER_VERSION     = var.build.packer_version
        # `aws codebuild start-build --environment-variables-override name=SKIFF_FORCE,value=true`
        # rebuilds whatever the check would decide.
        SKIFF_FORCE = "false"
      }

      content {
        name  = environment_variable.key
        value = environment_variable.value
        type  = "PLAINTEXT"
      }
    }
  }

  logs_config {
    cloudwatch_logs {
      group_name = aws_cloudwatch_log_group.this.name
      status     = "ENABLED"
    }
  }
}

# ---------------------------------------------------------------------------------------
# The schedule: a check on every tick; the check builds only when it must.
# ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = "${local.name}-check"
  description         = "skiff ${var.prefix}: check the runner AMI ${var.schedule.check_expression}, rebuild it when needed"
  event_bus_name      = "default"
  schedule_expression = var.schedule.check_expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  rule           = aws_cloudwatch_event_rule.schedule.name
  event_bus_name = aws_cloudwatch_event_rule.schedule.event_bus_name
  target_id      = "image-pipeline"
  arn            = aws_codebuild_project.this.arn
  role_arn       = aws_iam_role.schedule.arn

  # A tick that cannot start a build is dropped: the next one does the same check.
  retry_policy {
    maximum_retry_attempts       = 0
    maximum_event_age_in_seconds = 300
  }
}
