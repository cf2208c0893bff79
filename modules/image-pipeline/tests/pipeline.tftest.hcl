# The pipeline's shape: one CodeBuild project that runs the repository's own build script
# against the Packer template, on a schedule, one build at a time, with nothing public.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    override_during = plan
    defaults = {
      arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/codebuild/ci-image-pipeline"
    }
  }
  mock_resource "aws_codebuild_project" {
    override_during = plan
    defaults = {
      arn = "arn:aws:codebuild:eu-west-1:123456789012:project/ci-image-pipeline"
    }
  }
  mock_resource "aws_iam_role" {
    override_during = plan
    defaults = {
      arn = "arn:aws:iam::123456789012:role/ci-image-pipeline"
    }
  }
}

variables {
  prefix            = "ci"
  architectures     = ["x86_64", "arm64"]
  source_repository = { url = "https://github.com/example/skiff.git", ref = "v0.3.0" }
}

run "publishes_one_parameter_per_architecture_under_the_prefix" {
  command = plan

  assert {
    condition     = output.ssm_parameter_names == { x86_64 = "/ci/ami/x86_64", arm64 = "/ci/ami/arm64" }
    error_message = "Each architecture's AMI must be published to /<prefix>/ami/<arch>, the parameter pools read."
  }
}

run "the_build_runs_the_repositorys_script_and_template_at_the_given_ref" {
  command = plan

  assert {
    condition     = aws_codebuild_project.this.source[0].type == "NO_SOURCE" && strcontains(aws_codebuild_project.this.source[0].buildspec, "bash modules/image-pipeline/scripts/build.sh")
    error_message = "The buildspec must clone the source and run modules/image-pipeline/scripts/build.sh from it (the template and scripts are not copied into the module)."
  }

  assert {
    condition = {
      for v in aws_codebuild_project.this.environment[0].environment_variable : v.name => v.value
      if contains(["SKIFF_SOURCE_URL", "SKIFF_SOURCE_REF", "SKIFF_ARCHES", "SKIFF_PARAMETER_PREFIX", "SKIFF_KEEP_IMAGES", "SKIFF_REBUILD_AFTER_DAYS", "SKIFF_FORCE", "SKIFF_PREFIX"], v.name)
      } == {
      SKIFF_SOURCE_URL         = "https://github.com/example/skiff.git"
      SKIFF_SOURCE_REF         = "v0.3.0"
      SKIFF_PREFIX             = "ci"
      SKIFF_ARCHES             = "x86_64 arm64"
      SKIFF_PARAMETER_PREFIX   = "/ci/ami"
      SKIFF_KEEP_IMAGES        = "3"
      SKIFF_REBUILD_AFTER_DAYS = "7"
      SKIFF_FORCE              = "false"
    }
    error_message = "The build script must get the source, architectures, parameter prefix, keep_images (default 3), rebuild_after_days (default 7) and SKIFF_FORCE=false from the project."
  }

  assert {
    condition     = alltrue([for v in aws_codebuild_project.this.environment[0].environment_variable : v.type == "PLAINTEXT"])
    error_message = "The project holds no secret: every variable is plain text."
  }
}

run "one_build_at_a_time_without_docker_privileges" {
  command = plan

  assert {
    condition     = aws_codebuild_project.this.concurrent_build_limit == 1
    error_message = "Two checks must never build the same image at once (concurrent_build_limit = 1)."
  }

  assert {
    condition     = aws_codebuild_project.this.environment[0].privileged_mode == false
    error_message = "Packer's amazon-ebs builder needs no Docker daemon: the build container is not privileged."
  }

  assert {
    condition     = aws_codebuild_project.this.build_timeout == 120 && aws_codebuild_project.this.artifacts[0].type == "NO_ARTIFACTS"
    error_message = "The default timeout is 120 minutes (two architectures in turn) and the build produces no artifacts (the AMI id goes to SSM)."
  }
}

run "checks_daily_by_default_and_starts_only_this_project" {
  command = plan

  assert {
    condition     = aws_cloudwatch_event_rule.schedule.schedule_expression == "rate(1 day)"
    error_message = "The default check runs once a day."
  }

  assert {
    condition     = aws_cloudwatch_event_target.schedule.arn == "arn:aws:codebuild:eu-west-1:123456789012:project/ci-image-pipeline"
    error_message = "The schedule must start the pipeline's own project."
  }
}

run "logs_go_to_a_log_group_with_retention" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/codebuild/ci-image-pipeline" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "Build logs must go to /aws/codebuild/<prefix>-image-pipeline, kept 30 days by default."
  }

  assert {
    condition     = aws_codebuild_project.this.logs_config[0].cloudwatch_logs[0].group_name == "/aws/codebuild/ci-image-pipeline"
    error_message = "The project must write to the module's log group."
  }
}

run "settings_reach_the_build" {
  command = plan

  variables {
    keep_images = 5
    schedule    = { check_expression = "cron(0 4 * * ? *)", rebuild_after_days = 3 }
    network     = { subnet_id = "subnet-0123456789abcdef0", vpc_id = "vpc-0123456789abcdef0" }
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition = {
      for v in aws_codebuild_project.this.environment[0].environment_variable : v.name => v.value
      if contains(["SKIFF_KEEP_IMAGES", "SKIFF_REBUILD_AFTER_DAYS", "SKIFF_SUBNET_ID", "SKIFF_KMS_KEY_ID"], v.name)
      } == {
      SKIFF_KEEP_IMAGES        = "5"
      SKIFF_REBUILD_AFTER_DAYS = "3"
      SKIFF_SUBNET_ID          = "subnet-0123456789abcdef0"
      SKIFF_KMS_KEY_ID         = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
    error_message = "keep_images, rebuild_after_days, the subnet and the KMS key must reach the build script."
  }

  assert {
    condition     = aws_cloudwatch_event_rule.schedule.schedule_expression == "cron(0 4 * * ? *)"
    error_message = "schedule.check_expression must be the rule's schedule."
  }
}
