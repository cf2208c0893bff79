# The build role's least privilege, checked on the real policy JSON: the AWS provider
# computes policy documents locally, so these runs use it with fake credentials; every
# managed resource is overridden, so nothing calls AWS and the runs can apply.

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  prefix            = "ci"
  architectures     = ["x86_64", "arm64"]
  source_repository = { url = "https://github.com/example/skiff.git" }
}

override_resource {
  target = aws_cloudwatch_log_group.this
  values = {
    name = "/aws/codebuild/ci-image-pipeline"
    arn  = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/codebuild/ci-image-pipeline"
  }
}

override_resource {
  target = aws_iam_role.this
  values = { id = "ci-image-pipeline", name = "ci-image-pipeline", arn = "arn:aws:iam::123456789012:role/ci-image-pipeline" }
}

override_resource {
  target = aws_iam_role.schedule
  values = { id = "ci-image-pipeline-schedule", name = "ci-image-pipeline-schedule", arn = "arn:aws:iam::123456789012:role/ci-image-pipeline-schedule" }
}

override_resource {
  target = aws_iam_role_policy.this
}

override_resource {
  target = aws_iam_role_policy.schedule
}

override_resource {
  target = aws_codebuild_project.this
  values = { name = "ci-image-pipeline", arn = "arn:aws:codebuild:eu-west-1:123456789012:project/ci-image-pipeline" }
}

override_resource {
  target = aws_cloudwatch_event_rule.schedule
  values = { name = "ci-image-pipeline-check", arn = "arn:aws:events:eu-west-1:123456789012:rule/ci-image-pipeline-check" }
}

override_resource {
  target = aws_cloudwatch_event_target.schedule
}

run "build_instances_are_launched_tagged_and_only_tagged_ones_are_stopped_or_terminated" {
  command = apply

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "LaunchOnlyTaggedBuildInstances"]) == {
      Sid       = "LaunchOnlyTaggedBuildInstances"
      Effect    = "Allow"
      Action    = "ec2:RunInstances"
      Resource  = "arn:aws:ec2:eu-west-1:123456789012:instance/*"
      Condition = { StringEquals = { "aws:RequestTag/skiff:role" = "ami-build" } }
    }
    error_message = "The role may launch an instance only with the tag skiff:role = ami-build (the template's run_tags)."
  }

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "ManageOnlyBuildInstances"]) == {
      Sid       = "ManageOnlyBuildInstances"
      Effect    = "Allow"
      Action    = ["ec2:TerminateInstances", "ec2:StopInstances", "ec2:ModifyInstanceMetadataOptions", "ec2:ModifyInstanceAttribute", "ec2:CreateImage"]
      Resource  = "arn:aws:ec2:eu-west-1:123456789012:instance/*"
      Condition = { StringEquals = { "ec2:ResourceTag/skiff:role" = "ami-build" } }
    }
    error_message = "Stopping, terminating, modifying and imaging instances must be limited to instances tagged skiff:role = ami-build: the role cannot touch runners or anything else."
  }

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "LaunchFromAmazonImages"]).Condition == {
      StringEquals = { "ec2:Owner" = "amazon" }
    }
    error_message = "The build instance may boot only an Amazon-owned image (the AL2023 source AMI)."
  }
}

run "only_this_pipelines_images_and_snapshots_can_be_deregistered_deleted_or_modified" {
  command = apply

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "PruneOwnImagesAndSnapshots"]) == {
      Sid       = "PruneOwnImagesAndSnapshots"
      Effect    = "Allow"
      Action    = ["ec2:DeregisterImage", "ec2:DeleteSnapshot"]
      Resource  = ["arn:aws:ec2:eu-west-1::image/*", "arn:aws:ec2:eu-west-1:123456789012:snapshot/*"]
      Condition = { StringEquals = { "ec2:ResourceTag/skiff:image-prefix" = "ci" } }
    }
    error_message = "Pruning may deregister and delete only images and snapshots tagged skiff:image-prefix = <prefix>."
  }

  assert {
    condition     = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "MarkOwnImagesImdsV2"]).Condition == { StringEquals = { "ec2:ResourceTag/skiff:image-prefix" = "ci" } }
    error_message = "ModifyImageAttribute (IMDSv2 marking) must be limited to this pipeline's images."
  }
}

run "nothing_can_be_shared_passed_or_done_outside_ec2_ssm_logs" {
  command = apply

  assert {
    condition = length(setintersection(
      toset(flatten([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Action])),
      toset(["ec2:ModifySnapshotAttribute", "iam:PassRole", "ec2:DisableImageBlockPublicAccess", "ec2:DisableSnapshotBlockPublicAccess"]),
    )) == 0
    error_message = "The role must not be able to share snapshots, pass roles or lift the account's public image block."
  }

  assert {
    condition = alltrue([
      for a in flatten([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Action]) :
      startswith(a, "ec2:") || startswith(a, "ssm:") || startswith(a, "logs:")
    ])
    error_message = "Without a KMS key, the role needs only EC2, SSM (its parameters) and CloudWatch Logs actions."
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Sid if s.Resource == "*"] == ["DescribeForPacker"]
    error_message = "Only the Describe statement (EC2 has no resource-level permissions for it) may use Resource \"*\"."
  }

  assert {
    condition = alltrue([
      for a in flatten([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Action if s.Sid == "DescribeForPacker"]) : startswith(a, "ec2:Describe")
    ])
    error_message = "The Resource \"*\" statement must hold Describe actions only."
  }
}

run "tags_are_set_only_when_creating_or_on_this_pipelines_images" {
  command = apply

  assert {
    condition = alltrue([
      for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : can(s.Condition)
      if contains(flatten([s.Action]), "ec2:CreateTags")
    ])
    error_message = "Every ec2:CreateTags grant must be conditioned (on the create action, or on the skiff:image-prefix tag), so the role cannot retag other resources into its scope."
  }

  assert {
    condition     = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Condition if s.Sid == "TagOnCreate"]) == { StringEquals = { "ec2:CreateAction" = ["RunInstances", "CreateSecurityGroup", "CreateKeyPair"] } }
    error_message = "Launch-time tags must be allowed only within RunInstances, CreateSecurityGroup and CreateKeyPair."
  }
}

run "reads_and_writes_only_its_own_parameters_and_log_group" {
  command = apply

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "ReadAndPublishImageParameters"]) == {
      Sid      = "ReadAndPublishImageParameters"
      Effect   = "Allow"
      Action   = ["ssm:PutParameter", "ssm:GetParameter"]
      Resource = ["arn:aws:ssm:eu-west-1:123456789012:parameter/ci/ami/x86_64", "arn:aws:ssm:eu-west-1:123456789012:parameter/ci/ami/arm64"]
    }
    error_message = "The role may read and write exactly /<prefix>/ami/<arch> for each architecture."
  }

  assert {
    condition     = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Resource if s.Sid == "WriteBuildLogs"]) == "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/codebuild/ci-image-pipeline:*"
    error_message = "Build logs may go only to the module's log group."
  }

  assert {
    condition     = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Resource if s.Sid == "TemporaryKeyPair"]) == "arn:aws:ec2:eu-west-1:123456789012:key-pair/packer_*"
    error_message = "Key pairs may be created and deleted only under Packer's temporary names (packer_*)."
  }
}

run "the_schedule_can_only_start_this_project" {
  command = apply

  assert {
    condition = jsondecode(data.aws_iam_policy_document.schedule.json).Statement == [{
      Sid      = "StartImagePipelineBuilds"
      Effect   = "Allow"
      Action   = "codebuild:StartBuild"
      Resource = "arn:aws:codebuild:eu-west-1:123456789012:project/ci-image-pipeline"
    }]
    error_message = "The schedule's role may only start builds of this project."
  }

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.assume_codebuild.json).Statement[0].Condition == { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    error_message = "Only CodeBuild in this account may assume the build role."
  }
}

run "a_given_network_narrows_the_subnet_and_the_security_group_to_its_vpc" {
  command = apply

  variables {
    network = { subnet_id = "subnet-0123456789abcdef0", vpc_id = "vpc-0123456789abcdef0" }
  }

  assert {
    condition     = contains(one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Resource if s.Sid == "LaunchWithTemporaryResources"]), "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0123456789abcdef0")
    error_message = "With network.subnet_id, instances may launch only in that subnet."
  }

  assert {
    condition     = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Condition if s.Sid == "ManageTemporarySecurityGroup"]) == { ArnEquals = { "ec2:Vpc" = "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0123456789abcdef0" } }
    error_message = "With network.vpc_id, security group rules may be changed and groups deleted only in that VPC."
  }
}

run "a_kms_key_is_usable_only_through_ec2" {
  command = apply

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition = one([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s if s.Sid == "EncryptSnapshotsWithKey"]).Condition == {
      StringEquals = { "kms:ViaService" = "ec2.eu-west-1.amazonaws.com" }
    }
    error_message = "The snapshot key may be used only through EC2."
  }
}

run "both_roles_take_the_iam_boundary_and_path" {
  command = plan

  variables {
    iam = { permissions_boundary_arn = "arn:aws:iam::123456789012:policy/boundary", path = "/skiff/" }
  }

  assert {
    condition     = alltrue([for r in [aws_iam_role.this, aws_iam_role.schedule] : r.path == "/skiff/" && r.permissions_boundary == "arn:aws:iam::123456789012:policy/boundary"])
    error_message = "The build role and the schedule role must take iam.path and iam.permissions_boundary_arn (organisations whose SCPs require a boundary refuse roles without it)."
  }
}
