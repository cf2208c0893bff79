# The launch template every runner of the pool boots from, planned under a mocked provider.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

override_resource {
  target          = aws_security_group.this
  override_during = plan
  values = {
    id  = "sg-0123456789abcdef0"
    arn = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0"
  }
}

override_resource {
  target          = aws_iam_instance_profile.this
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:instance-profile/ci-linux-runner" }
}

variables {
  prefix = "ci"
  name   = "linux"
  ami_id = "ami-0123456789abcdef0"
  vpc_id = "vpc-0123456789abcdef0"
}

run "imdsv2_only_hop_limit_one_no_metadata_tags" {
  command = plan

  assert {
    condition     = aws_launch_template.this.metadata_options[0].http_tokens == "required"
    error_message = "IMDSv2 must be required (http_tokens = required)."
  }

  assert {
    condition     = aws_launch_template.this.metadata_options[0].http_endpoint == "enabled"
    error_message = "The metadata endpoint must stay on: the bootstrap reads its instance ID and credentials from it."
  }

  assert {
    condition     = aws_launch_template.this.metadata_options[0].http_put_response_hop_limit == 1
    error_message = "The IMDS hop limit must be 1, so containers on a bridge network cannot reach the instance's credentials."
  }

  assert {
    condition     = aws_launch_template.this.metadata_options[0].instance_metadata_tags == "disabled"
    error_message = "Instance tags must not be exposed in the metadata."
  }
}

run "shutdown_terminates_the_instance" {
  command = plan

  assert {
    condition     = aws_launch_template.this.instance_initiated_shutdown_behavior == "terminate"
    error_message = "Powering off after the job must terminate the instance (instance_initiated_shutdown_behavior = terminate)."
  }
}

run "security_group_on_the_template_not_on_a_network_interface" {
  command = plan

  assert {
    condition     = toset(aws_launch_template.this.vpc_security_group_ids) == toset(["sg-0123456789abcdef0"])
    error_message = "The launch template must carry the pool's security group, and only it, in vpc_security_group_ids: CreateFleet's subnet overrides leave a network interface block's groups unused."
  }

  assert {
    condition     = length(aws_launch_template.this.network_interfaces) == 0
    error_message = "The launch template must define no network interface: its groups and public IP setting would not survive CreateFleet's subnet overrides, and a public IP comes from the subnet's map_public_ip_on_launch."
  }
}

run "encrypted_gp3_root_volume" {
  command = plan

  assert {
    condition = (
      aws_launch_template.this.block_device_mappings[0].device_name == "/dev/xvda"
      && aws_launch_template.this.block_device_mappings[0].ebs[0].volume_type == "gp3"
      && aws_launch_template.this.block_device_mappings[0].ebs[0].encrypted == "true"
      && aws_launch_template.this.block_device_mappings[0].ebs[0].delete_on_termination == "true"
    )
    error_message = "The root volume (/dev/xvda) must be an encrypted gp3 volume deleted with the instance."
  }

  assert {
    condition = (
      aws_launch_template.this.block_device_mappings[0].ebs[0].volume_size == 30
      && aws_launch_template.this.block_device_mappings[0].ebs[0].iops == 3000
      && aws_launch_template.this.block_device_mappings[0].ebs[0].throughput == 125
    )
    error_message = "The root volume must default to 30 GB, 3000 IOPS, 125 MiB/s (gp3 baseline)."
  }
}

run "root_volume_settings_and_kms_key" {
  command = plan

  variables {
    root_volume = {
      size_gb     = 100
      iops        = 6000
      throughput  = 500
      kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/55555555-5555-5555-5555-555555555555"
      device_name = "/dev/sda1"
    }
  }

  assert {
    condition = (
      aws_launch_template.this.block_device_mappings[0].device_name == "/dev/sda1"
      && aws_launch_template.this.block_device_mappings[0].ebs[0].volume_size == 100
      && aws_launch_template.this.block_device_mappings[0].ebs[0].iops == 6000
      && aws_launch_template.this.block_device_mappings[0].ebs[0].throughput == 500
      && aws_launch_template.this.block_device_mappings[0].ebs[0].kms_key_id == "arn:aws:kms:us-east-1:123456789012:key/55555555-5555-5555-5555-555555555555"
      && aws_launch_template.this.block_device_mappings[0].ebs[0].encrypted == "true"
    )
    error_message = "root_volume settings, including the KMS key, must reach the launch template."
  }
}

run "user_data_bootstraps_the_runner_without_secrets" {
  command = plan

  assert {
    condition     = strcontains(base64decode(aws_launch_template.this.user_data), "PREFIX=ci\n") && strcontains(base64decode(aws_launch_template.this.user_data), "BOOT_TIMEOUT=300\n")
    error_message = "The user data must pass the prefix and boot timeout to the bootstrap."
  }

  assert {
    condition     = strcontains(base64decode(aws_launch_template.this.user_data), jsondecode(file("../../versions.json")).runner.version)
    error_message = "The user data must pin the runner version from versions.json."
  }

  assert {
    condition     = strcontains(base64decode(aws_launch_template.this.user_data), jsondecode(file("../../versions.json")).runner.sha256.arm64) && strcontains(base64decode(aws_launch_template.this.user_data), jsondecode(file("../../versions.json")).runner.sha256.x64)
    error_message = "With embed_bootstrap the user data must carry both runner checksums from versions.json."
  }

  assert {
    condition     = strcontains(base64decode(aws_launch_template.this.user_data), "SKIFF_BOOTSTRAP")
    error_message = "embed_bootstrap (default true) must put the bootstrap in the user data."
  }
}

run "baked_ami_user_data_leaves_the_bootstrap_out" {
  command = plan

  variables {
    embed_bootstrap = false
  }

  assert {
    condition     = !strcontains(base64decode(aws_launch_template.this.user_data), "SKIFF_BOOTSTRAP")
    error_message = "embed_bootstrap = false must leave the bootstrap out of the user data."
  }

  assert {
    condition     = length(base64decode(aws_launch_template.this.user_data)) < 4096
    error_message = "A baked-AMI user data should be small."
  }
}

run "launch_template_uses_the_ami_and_profile" {
  command = plan

  assert {
    condition     = aws_launch_template.this.image_id == "ami-0123456789abcdef0"
    error_message = "The launch template must boot the given AMI."
  }

  assert {
    condition     = aws_launch_template.this.iam_instance_profile[0].arn == "arn:aws:iam::123456789012:instance-profile/ci-linux-runner"
    error_message = "Runners must get the pool's instance profile."
  }

  assert {
    condition     = aws_launch_template.this.name == "ci-linux-runner"
    error_message = "The launch template must be named <prefix>-<pool>-runner."
  }

  assert {
    condition     = aws_launch_template.this.instance_type == null
    error_message = "The instance type must come from the fleet's overrides, not the launch template."
  }
}

run "user_tags_reach_instances_volumes_and_interfaces" {
  command = plan

  variables {
    tags = { team = "platform" }
  }

  assert {
    condition     = toset([for t in aws_launch_template.this.tag_specifications : t.resource_type]) == toset(["instance", "volume", "network-interface"])
    error_message = "Tags must be stamped on instances, volumes and network interfaces at launch."
  }

  assert {
    condition     = alltrue([for t in aws_launch_template.this.tag_specifications : length(t.tags) == 1 && t.tags["team"] == "platform"])
    error_message = "The launch template must stamp exactly the given tags."
  }
}

run "hooks_go_into_user_data_as_files_under_etc_skiff_hooks" {
  command = plan

  variables {
    hooks = { pre_install = "dnf install -y -q jq", job_started = "echo \"started $GITHUB_JOB\"", job_completed = "docker system prune -af" }
  }

  assert {
    condition     = strcontains(base64decode(aws_launch_template.this.user_data), "install -Dm0755 /dev/stdin /etc/skiff/hooks/job-started.sh <<'SKIFF_HOOK'\necho \"started $GITHUB_JOB\"\nSKIFF_HOOK\n") && strcontains(base64decode(aws_launch_template.this.user_data), "install -Dm0755 /dev/stdin /etc/skiff/hooks/job-completed.sh <<'SKIFF_HOOK'\ndocker system prune -af\nSKIFF_HOOK\n")
    error_message = "hooks.job_started and job_completed must be written, verbatim, to /etc/skiff/hooks/job-started.sh and job-completed.sh, where the bootstrap looks for them."
  }

  assert {
    condition     = strcontains(base64decode(aws_launch_template.this.user_data), "bash /etc/skiff/hooks/pre-install.sh\n") && !strcontains(base64decode(aws_launch_template.this.user_data), "post-install")
    error_message = "hooks.pre_install must be run by user data; an empty hook must leave no trace."
  }

  assert {
    condition     = output.user_data_bytes == length(base64decode(aws_launch_template.this.user_data))
    error_message = "user_data_bytes must be the user data's size in bytes (ASCII here, so its length)."
  }
}

run "stock_ami_user_data_leaves_about_1400_bytes_for_hooks" {
  command = plan

  assert {
    condition     = output.user_data_bytes > 14000 && output.user_data_bytes < 15000
    error_message = "The stock-AMI user data (embedded bootstrap) should stay near 14.9 KB; the runners README and pools description state the room left for hooks (about 1.4 KB), so update them when this moves."
  }
}

run "user_data_bytes_counts_bytes_not_characters" {
  command = plan

  variables {
    embed_bootstrap = false
    hooks           = { job_started = "echo ✓" }
  }

  assert {
    condition     = output.user_data_bytes == length(base64decode(aws_launch_template.this.user_data)) + 2
    error_message = "user_data_bytes must count the UTF-8 bytes EC2 counts (✓ is 3 bytes, 1 character)."
  }
}

run "reject_hooks_that_overflow_the_16_kb_user_data_on_a_stock_ami" {
  command = plan

  variables {
    hooks = { job_completed = join("\n", [for i in range(100) : "echo 'clean-up step number ${i} of the job completed hook, padded to be long'"]) }
  }

  expect_failures = [aws_launch_template.this]
}

run "baked_ami_leaves_room_for_hooks_that_a_stock_ami_has_not" {
  command = plan

  variables {
    embed_bootstrap = false
    hooks           = { job_completed = join("\n", [for i in range(100) : "echo 'clean-up step number ${i} of the job completed hook, padded to be long'"]) }
  }

  assert {
    condition     = output.user_data_bytes > 7000 && output.user_data_bytes <= 16384
    error_message = "On a baked AMI the same 7 KB of hooks must fit."
  }
}
