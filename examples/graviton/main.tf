# An arm64 (Graviton) pool on the baked arm64 skiff AMI, in a new minimal VPC: the same
# jobs for about a fifth less per instance-hour than the x64 types of the same size.

provider "aws" {
  region = var.region
}

module "runners" {
  source = "../../modules/runners"

  prefix     = "ci"
  github_app = { id = var.github_app_id }
  network    = { create_vpc = { availability_zones = var.availability_zones } }
  lambdas    = { zip_paths = var.lambda_zip_paths }

  pools = {
    # runs-on: [self-hosted, linux, arm64]
    graviton = {
      architecture   = "arm64"
      instance_types = ["m7g.large", "c7g.large", "m8g.large", "m6g.large"]
      max_runners    = 10
      ami            = { ssm_parameter = var.runner_ami_parameter }
      baked_ami      = true
    }
  }
}

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "us-east-1"
}

variable "availability_zones" {
  description = "Availability zones of var.region for the new VPC; more zones give spot more capacity to choose from."
  type        = list(string)
  default     = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

variable "runner_ami_parameter" {
  description = "SSM parameter holding the baked arm64 runner AMI's ID (packer build -var arch=arm64 -var ssm_parameter_name=/skiff/ami/arm64 packer/runner/runner.pkr.hcl writes it)."
  type        = string
  default     = "/skiff/ami/arm64"
}

variable "github_app_id" {
  description = "The GitHub App's numeric ID (docs/github-app.md)."
  type        = string
}

variable "lambda_zip_paths" {
  description = "Paths of the Lambda zips (webhook, scale_up, lifecycle, scale_down). Null: dist/lambdas/<name>.zip of this checkout, the `make build` output."
  type = object({
    webhook    = optional(string)
    scale_up   = optional(string)
    lifecycle  = optional(string)
    scale_down = optional(string)
  })
  default  = {}
  nullable = false
}
