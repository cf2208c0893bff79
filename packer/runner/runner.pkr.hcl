# skiff runner AMI: Amazon Linux 2023 with Docker, Node.js, the pinned GitHub Actions runner
# and the skiff bootstrap. Build from the repository root or anywhere else:
#   packer build -var region=eu-west-1 -var arch=arm64 packer/runner/runner.pkr.hcl
#
# Written for Packer 1.6.6 (Debian's, which `make packer-check` validates with) and newer.
# The plugin pin for `packer init` is in plugins/plugins.pkr.hcl, apart, because 1.6.6
# rejects `required_plugins`. 1.6.6 also lacks amazon-ebs `metadata_options` and
# `imds_support`, so IMDSv2 is required on the build instance by the first provisioner and
# on the AMI by the post-processor, both through the AWS CLI (see README).

variable "region" {
  type        = string
  description = "AWS region to build in; the AMI is registered there."
  default     = "us-east-1"
}

variable "arch" {
  type        = string
  description = "CPU architecture of the image: x86_64 or arm64."
  default     = "x86_64"
  validation {
    condition     = contains(["x86_64", "arm64"], var.arch)
    error_message = "The arch variable must be x86_64 or arm64."
  }
}

variable "instance_type" {
  type        = string
  description = "Build instance type; empty picks c7i.large (x86_64) or c7g.large (arm64)."
  default     = ""
}

variable "subnet_id" {
  type        = string
  description = "Subnet for the build instance (needs outbound internet); empty uses the default VPC."
  default     = ""
}

variable "volume_size_gb" {
  type        = number
  description = "Root volume size in GiB (gp3, encrypted); runner instances may ask for more."
  default     = 30
}

variable "ami_name_prefix" {
  type        = string
  description = "AMI names are <prefix>-<arch>-runner-<version>-<UTC timestamp>; pools filter on it."
  default     = "skiff"
}

variable "install_cloudwatch_agent" {
  type        = bool
  description = "Install (not configure) the Amazon CloudWatch agent."
  default     = false
}

variable "ssm_parameter_name" {
  type        = string
  description = "If set, an SSM parameter (data type aws:ec2:image) that receives the new AMI id, e.g. /skiff/ami/arm64."
  default     = ""
}

variable "kms_key_id" {
  type        = string
  description = "KMS key for the AMI's encrypted snapshot; empty uses the account's default EBS key."
  default     = ""
}

locals {
  # versions.json at the repository root is the one source of truth for what gets pinned.
  versions       = jsondecode(file("${abspath(path.root)}/../../versions.json"))
  runner_version = local.versions.runner.version
  runner_arch    = var.arch == "arm64" ? "arm64" : "x64"
  runner_sha256  = local.versions.runner.sha256[local.runner_arch]
  # When the pinned release was published (scripts/bump-runner.mjs records it); the
  # bootstrap reports the image's runner age from it. Empty for a pin made without it.
  runner_published = try(local.versions.runner.published, "")
  node_major       = local.versions.node.major
  instance_type    = var.instance_type != "" ? var.instance_type : (var.arch == "arm64" ? "c7g.large" : "c7i.large")
  timestamp        = formatdate("YYYYMMDDhhmmss", timestamp())
  ami_name         = "${var.ami_name_prefix}-${var.arch}-runner-${local.runner_version}-${local.timestamp}"
}

source "amazon-ebs" "al2023" {
  region        = var.region
  instance_type = local.instance_type
  subnet_id     = var.subnet_id
  ssh_username  = "ec2-user"
  ami_name      = local.ami_name

  ami_description = "skiff GitHub Actions runner ${local.runner_version}, Node.js ${local.node_major}, Docker, AL2023 ${var.arch}"

  # One kernel line, so that most_recent cannot move a rebuild from 6.1 to 6.12 or 6.18
  # (Amazon publishes AL2023 images for each line under the same name pattern). 6.1 is
  # AL2023's default kernel, the one stock-AMI pools boot; see README, "Kernel line".
  source_ami_filter {
    owners      = ["amazon"]
    most_recent = true
    filters = {
      name                = "al2023-ami-2023.*-kernel-6.1-${var.arch}"
      architecture        = var.arch
      virtualization-type = "hvm"
      root-device-type    = "ebs"
    }
  }

  launch_block_device_mappings {
    device_name           = "/dev/xvda"
    volume_size           = var.volume_size_gb
    volume_type           = "gp3"
    iops                  = 3000
    throughput            = 250
    encrypted             = true
    delete_on_termination = true
  }
  encrypt_boot = true
  kms_key_id   = var.kms_key_id

  run_tags = {
    Name         = "skiff-ami-build"
    "skiff:role" = "ami-build"
  }
  # skiff:image-prefix marks this prefix's images and snapshots: modules/image-pipeline
  # prunes by it, and its role may deregister or delete only what carries it.
  tags = {
    Name                     = local.ami_name
    "skiff:image-prefix"     = var.ami_name_prefix
    "skiff:runner-version"   = local.runner_version
    "skiff:runner-published" = local.runner_published
    "skiff:node-major"       = "${local.node_major}"
    "skiff:arch"             = var.arch
    "skiff:source-ami"       = "{{ .SourceAMI }}"
    "skiff:source-name"      = "{{ .SourceAMIName }}"
  }
  snapshot_tags = {
    Name                   = local.ami_name
    "skiff:image-prefix"   = var.ami_name_prefix
    "skiff:runner-version" = local.runner_version
    "skiff:arch"           = var.arch
  }
}

build {
  sources = ["source.amazon-ebs.al2023"]

  # Require IMDSv2 on the build instance before anything else runs on it (1.6.6 has no
  # metadata_options). Runs on the machine running Packer, with its AWS credentials.
  provisioner "shell-local" {
    environment_vars = ["INSTANCE_ID=${build.ID}", "AWS_REGION=${var.region}"]
    inline = [
      "aws ec2 modify-instance-metadata-options --instance-id \"$INSTANCE_ID\" --http-tokens required --http-endpoint enabled --output text >/dev/null",
    ]
  }

  provisioner "shell" {
    inline = ["mkdir -p /tmp/skiff"]
  }

  provisioner "file" {
    sources = [
      "${abspath(path.root)}/files/skiff-bootstrap.sh",
      "${abspath(path.root)}/files/skiff-runner.service",
    ]
    destination = "/tmp/skiff/"
  }

  provisioner "shell" {
    execute_command = "chmod +x {{ .Path }}; sudo env {{ .Vars }} {{ .Path }}"
    environment_vars = [
      "RUNNER_VERSION=${local.runner_version}",
      "RUNNER_ARCH=${local.runner_arch}",
      "RUNNER_SHA256=${local.runner_sha256}",
      "RUNNER_PUBLISHED=${local.runner_published}",
      "NODE_MAJOR=${local.node_major}",
      "INSTALL_CLOUDWATCH_AGENT=${var.install_cloudwatch_agent}",
    ]
    scripts = [
      "${abspath(path.root)}/scripts/10-base.sh",
      "${abspath(path.root)}/scripts/20-docker.sh",
      "${abspath(path.root)}/scripts/30-node.sh",
      "${abspath(path.root)}/scripts/40-cloudwatch-agent.sh",
      "${abspath(path.root)}/scripts/50-runner.sh",
      "${abspath(path.root)}/scripts/60-bootstrap.sh",
      "${abspath(path.root)}/scripts/90-cleanup.sh",
    ]
  }

  post-processors {
    post-processor "manifest" {
      output     = "${abspath(path.root)}/manifest.json"
      strip_path = true
    }
    # Mark the AMI IMDSv2-only (instances launched from it default to http_tokens=required)
    # and, if asked, publish its id for the pools.
    post-processor "shell-local" {
      environment_vars = [
        "AWS_REGION=${var.region}",
        "MANIFEST=${abspath(path.root)}/manifest.json",
        "SSM_PARAMETER_NAME=${var.ssm_parameter_name}",
      ]
      inline = [
        "ami_id=$(jq -r '.builds[-1].artifact_id' \"$MANIFEST\" | cut -d: -f2)",
        "aws ec2 modify-image-attribute --image-id \"$ami_id\" --imds-support v2.0",
        "if [ -n \"$SSM_PARAMETER_NAME\" ]; then aws ssm put-parameter --name \"$SSM_PARAMETER_NAME\" --type String --data-type aws:ec2:image --overwrite --value \"$ami_id\" >/dev/null; echo \"$SSM_PARAMETER_NAME = $ami_id\"; fi",
      ]
    }
  }
}
