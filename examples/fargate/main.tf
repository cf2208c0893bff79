# An EC2 spot pool and a Fargate pool side by side in one skiff deployment, in a new
# minimal VPC (public subnets, no NAT gateway): the ECR repository the Fargate pool's image
# is pushed to, and a role that jobs on either target assume through GitHub's OIDC provider
# instead of using the runner's credentials.

provider "aws" {
  region = var.region
}

# images/runner/build.sh <repository_url> x86_64 --push fills it.
resource "aws_ecr_repository" "runner" {
  name                 = "ci/skiff-runner"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }
}

module "runners" {
  source = "../../modules/runners"

  prefix     = "ci"
  github_app = { id = var.github_app_id }
  network    = { create_vpc = { availability_zones = var.availability_zones } }
  lambdas    = { zip_paths = var.lambda_zip_paths }

  pools = {
    # runs-on: [self-hosted, linux] — jobs that need Docker, or a bigger machine.
    linux = {
      instance_types = ["m7i.large", "m6i.large", "m6a.large", "m7a.large"]
      max_runners    = 10
    }
    # runs-on: [self-hosted, linux, fargate] — container-free jobs (lint, unit tests):
    # no instance to boot, and Fargate Spot first.
    lint = {
      target      = "fargate"
      labels      = ["fargate"]
      image       = "${aws_ecr_repository.runner.repository_url}:${var.runner_image_tag}"
      cpu         = 1024
      memory      = 4096
      max_runners = 20
    }
  }
}

# ---------------------------------------------------------------------------------------
# Workload identity: a job asks GitHub for an OIDC token (permissions: id-token: write) and
# exchanges it for this role's credentials, whichever target it runs on.
# ---------------------------------------------------------------------------------------

# One per account: set github_oidc_provider_arn when the account already has it.
resource "aws_iam_openid_connect_provider" "github" {
  count = var.github_oidc_provider_arn == null ? 1 : 0

  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

locals {
  github_oidc_provider_arn = coalesce(var.github_oidc_provider_arn, try(aws_iam_openid_connect_provider.github[0].arn, null))
}

data "aws_iam_policy_document" "deploy_trust" {
  statement {
    sid     = "GitHubActionsOidc"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Only jobs of this repository running for this branch: not pull requests, not forks,
    # not other branches or tags.
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:ref:refs/heads/${var.github_branch}"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = "ci-github-deploy"
  description          = "Assumed by GitHub Actions jobs of ${var.github_repository} on ${var.github_branch} through OIDC"
  assume_role_policy   = data.aws_iam_policy_document.deploy_trust.json
  max_session_duration = 3600
}

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "us-east-1"
}

variable "availability_zones" {
  description = "Availability zones of var.region for the new VPC; more zones give spot (EC2 and Fargate) more capacity to choose from."
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

variable "runner_image_tag" {
  description = "Tag of the runner image in the repository, as images/runner/build.sh prints it (<runner version>-<arch>)."
  type        = string
  default     = "2.337.0-x86_64"
}

variable "github_repository" {
  description = "The repository whose jobs may assume the deploy role, as owner/name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "github_repository must be owner/name, e.g. octo-org/app."
  }
}

variable "github_branch" {
  description = "The branch whose jobs may assume the deploy role (the token's sub claim is repo:<owner>/<name>:ref:refs/heads/<branch>)."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]{1,255}$", var.github_branch)) && !strcontains(var.github_branch, "*")
    error_message = "github_branch must be a branch name (letters, digits, . _ / -), no wildcard."
  }
}

variable "github_oidc_provider_arn" {
  description = "ARN of the account's existing token.actions.githubusercontent.com OIDC provider; null creates it (an account can hold only one)."
  type        = string
  default     = null

  validation {
    condition     = var.github_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", coalesce(var.github_oidc_provider_arn, "-")))
    error_message = "github_oidc_provider_arn must be null or arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com."
  }
}
