# One spot pool in a new minimal VPC: public subnets, no NAT gateway.

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
    linux = {
      # Several similar types: spot then has more capacity pools to choose from.
      instance_types = ["m7i.large", "m6i.large", "m6a.large", "m7a.large"]
      max_runners    = 10
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
