# Runners in existing private subnets (with NAT or VPC endpoints for egress), booting a
# baked skiff AMI whose ID the Packer build wrote to an SSM parameter.

provider "aws" {
  region = var.region
}

module "runners" {
  source = "../../modules/runners"

  prefix     = "ci"
  github_app = { id = var.github_app_id }
  network    = { vpc_id = var.vpc_id, subnet_ids = var.subnet_ids }
  lambdas    = { zip_paths = var.lambda_zip_paths }

  pools = {
    linux = {
      instance_types = ["m7i.large", "m6i.large", "m6a.large"]
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

variable "vpc_id" {
  description = "The existing VPC."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of that VPC for runners (one per availability zone is best for spot). They need egress to GitHub and AWS: a NAT gateway, or VPC endpoints plus a proxy."
  type        = list(string)
}

variable "runner_ami_parameter" {
  description = "SSM parameter holding the baked runner AMI's ID (packer build -var ssm_parameter_name=...)."
  type        = string
  default     = "/skiff/ami/x86_64"
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
