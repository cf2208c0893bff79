variable "prefix" {
  description = "Name of the skiff deployment (^[a-z][a-z0-9-]{0,19}$), as given to modules/runners. Names the project (<prefix>-image-pipeline), prefixes the AMI names (<prefix>-<arch>-runner-<version>-<UTC time>) and the SSM parameters (/<prefix>/ami/<arch>) that pools read."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.prefix))
    error_message = "prefix must match ^[a-z][a-z0-9-]{0,19}$ (lower case letter, then up to 19 lower case letters, digits or hyphens)."
  }
}

variable "architectures" {
  description = "CPU architectures to bake, one AMI and one SSM parameter (/<prefix>/ami/<arch>) each: \"x86_64\" (x64 pools) and/or \"arm64\" (Graviton pools). 1 or 2 entries; default [\"x86_64\"]."
  type        = list(string)
  default     = ["x86_64"]
  nullable    = false

  validation {
    condition     = length(var.architectures) >= 1 && length(var.architectures) == length(distinct(var.architectures)) && alltrue([for a in var.architectures : contains(["x86_64", "arm64"], a)])
    error_message = "architectures must hold \"x86_64\", \"arm64\" or both, each once."
  }
}

variable "source_repository" {
  description = "Where the build takes packer/runner and versions.json from: url (an https:// git URL of skiff or your fork, cloned anonymously, so public) and ref (branch or tag, default \"main\"). Merging a versions.json change there is what makes the next check rebuild."
  type = object({
    url = string
    ref = optional(string, "main")
  })
  nullable = false

  validation {
    condition     = can(regex("^https://[^\\s]+$", var.source_repository.url)) && can(regex("^[A-Za-z0-9._/-]{1,255}$", var.source_repository.ref))
    error_message = "source_repository.url must be an https:// git URL and source_repository.ref a branch or tag name (letters, digits, . _ / -)."
  }
}

variable "schedule" {
  description = "When the pipeline looks: check_expression (an EventBridge schedule expression, default \"rate(1 day)\"; each check is a short build that starts Packer only when needed) and rebuild_after_days (1 to 30, default 7: rebuild an AMI this old even when nothing changed, for OS updates). A check builds when the parameter names no AMI, when the AMI's skiff:runner-version tag differs from versions.json at source_repository.ref, or when the AMI is rebuild_after_days old."
  type = object({
    check_expression   = optional(string, "rate(1 day)")
    rebuild_after_days = optional(number, 7)
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.schedule.check_expression))
    error_message = "schedule.check_expression must be an EventBridge schedule expression: rate(<n> <unit>) or cron(...)."
  }

  validation {
    condition     = var.schedule.rebuild_after_days >= 1 && var.schedule.rebuild_after_days <= 30 && floor(var.schedule.rebuild_after_days) == var.schedule.rebuild_after_days
    error_message = "schedule.rebuild_after_days must be a whole number from 1 to 30 (GitHub stops sending jobs to a runner 30 days behind)."
  }
}

variable "keep_images" {
  description = "How many of this pipeline's AMIs to keep per architecture, newest first (2 to 20, default 3). After each run, older ones are deregistered and their snapshots deleted; the AMI the parameter names, and any AMI a launch template's default or latest version names, are always kept."
  type        = number
  default     = 3
  nullable    = false

  validation {
    condition     = var.keep_images >= 2 && var.keep_images <= 20 && floor(var.keep_images) == var.keep_images
    error_message = "keep_images must be a whole number from 2 to 20 (at least one image to roll back to)."
  }
}

variable "network" {
  description = "Where the Packer build instance runs: subnet_id and its vpc_id (both, or neither for the default VPC). CodeBuild runs outside the VPC and reaches the instance over SSH on its public IP, so the subnet must give instances a public IPv4 address; the instance also needs outbound internet (dnf, github.com). The temporary security group is limited to this VPC in the role's policy."
  type = object({
    subnet_id = optional(string)
    vpc_id    = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = (var.network.subnet_id == null) == (var.network.vpc_id == null)
    error_message = "network must set both subnet_id and vpc_id, or neither (default VPC)."
  }

  validation {
    condition     = var.network.subnet_id == null || (can(regex("^subnet-[0-9a-f]{8,17}$", coalesce(var.network.subnet_id, "-"))) && can(regex("^vpc-[0-9a-f]{8,17}$", coalesce(var.network.vpc_id, "-"))))
    error_message = "network.subnet_id must be a subnet ID (subnet- and 8 or 17 hex digits) and network.vpc_id a VPC ID (vpc- and 8 or 17 hex digits)."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for the AMIs' encrypted snapshots. Null (default): the account's default EBS key. With a key, the role gets the grants EBS needs on it, and runner roles need none (EC2 uses the key on their behalf)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", coalesce(var.kms_key_arn, "-")))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

variable "build" {
  description = "The CodeBuild side: packer_version (HashiCorp's RPM of that version is installed from rpm.releases.hashicorp.com, signed; default 1.11.2, the version the release workflow validates with), compute_type (default BUILD_GENERAL1_SMALL), timeout_minutes (30 to 480, default 120: both architectures are built one after the other, 10 to 15 minutes each), log_retention_in_days (a CloudWatch Logs retention value, default 30)."
  type = object({
    packer_version        = optional(string, "1.11.2")
    compute_type          = optional(string, "BUILD_GENERAL1_SMALL")
    timeout_minutes       = optional(number, 120)
    log_retention_in_days = optional(number, 30)
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^1\\.([7-9]|[1-9][0-9])\\.[0-9]+$", var.build.packer_version))
    error_message = "build.packer_version must be a Packer 1.x version from 1.7.0 on (packer init), e.g. \"1.11.2\"."
  }

  validation {
    condition     = contains(["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"], var.build.compute_type)
    error_message = "build.compute_type must be BUILD_GENERAL1_SMALL, BUILD_GENERAL1_MEDIUM or BUILD_GENERAL1_LARGE."
  }

  validation {
    condition     = var.build.timeout_minutes >= 30 && var.build.timeout_minutes <= 480 && floor(var.build.timeout_minutes) == var.build.timeout_minutes
    error_message = "build.timeout_minutes must be a whole number from 30 to 480."
  }

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.build.log_retention_in_days)
    error_message = "build.log_retention_in_days must be a CloudWatch Logs retention value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "iam" {
  description = "Every IAM role this module creates (the CodeBuild role and the schedule's role): permissions_boundary_arn (ARN of a managed policy set as each role's permissions boundary, e.g. arn:aws:iam::123456789012:policy/ci-boundary, as service control policies often require; default null, none) and path (the roles' IAM path: \"/\" (the default) or /<segments>/, at most 512 characters; the path is part of each role's ARN)."
  type = object({
    permissions_boundary_arn = optional(string)
    path                     = optional(string, "/")
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.iam.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[\\x21-\\x7E]+$", coalesce(var.iam.permissions_boundary_arn, "-")))
    error_message = "iam.permissions_boundary_arn must be null or a managed policy ARN (arn:<partition>:iam::<account>:policy/<path><name>)."
  }

  validation {
    condition     = length(var.iam.path) <= 512 && can(regex("^(/|/[\\x21-\\x7E]+/)$", var.iam.path)) && !strcontains(var.iam.path, "//")
    error_message = "iam.path must be \"/\" or start and end with / (e.g. \"/skiff/\"), printable ASCII without spaces or empty segments, at most 512 characters."
  }
}

variable "tags" {
  description = "Tags for every resource this module creates. The AMIs and snapshots get skiff's own tags (skiff:image-prefix, skiff:arch, skiff:runner-version, ...) from the Packer template."
  type        = map(string)
  default     = {}
  nullable    = false
}
