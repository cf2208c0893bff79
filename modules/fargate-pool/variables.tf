variable "prefix" {
  description = "The skiff deployment's prefix (^[a-z][a-z0-9-]{0,19}$). JIT configs live at /<prefix>/jit/<task-id>; names start with it."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.prefix))
    error_message = "prefix must match ^[a-z][a-z0-9-]{0,19}$ (lower case letter, then up to 19 lower case letters, digits or hyphens)."
  }
}

variable "name" {
  description = "The pool's name (^[a-z][a-z0-9-]{0,31}$), as in the routing table."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,31}$", var.name))
    error_message = "name must match ^[a-z][a-z0-9-]{0,31}$ (lower case letter, then up to 31 lower case letters, digits or hyphens)."
  }
}

variable "image" {
  description = "The runner image (images/runner) in a private ECR repository, by tag or digest: <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>:<tag> or ...@sha256:<digest>. The execution role may pull from that repository only. modules/runners validates it (pools[*])."
  type        = string
  nullable    = false
}

variable "cpu" {
  description = "Task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 = 1 vCPU). Together with memory it must be a pair Fargate offers. modules/runners validates it (pools[*])."
  type        = number
  default     = 1024
  nullable    = false
}

variable "memory" {
  description = "Task memory in MiB. Fargate allows, by cpu: 256 → 512, 1024, 2048; 512 → 1024–4096; 1024 → 2048–8192; 2048 → 4096–16384; 4096 → 8192–30720 (steps of 1024); 8192 → 16384–61440 (steps of 4096); 16384 → 32768–122880 (steps of 8192). modules/runners validates it (pools[*])."
  type        = number
  default     = 4096
  nullable    = false
}

variable "ephemeral_storage_gb" {
  description = "Task ephemeral storage in GiB, 21 to 200; null (default) keeps Fargate's included 20 GiB. More is billed per GiB-hour. modules/runners validates it (pools[*])."
  type        = number
  default     = null
}

variable "architecture" {
  description = "CPU architecture of the task and its image: x86_64 (default) or arm64. Fargate Spot runs x86_64 tasks only: arm64 pools run on on-demand Fargate (output spot_supported). modules/runners validates it (pools[*])."
  type        = string
  default     = "x86_64"
  nullable    = false
}

variable "boot_timeout_seconds" {
  description = "How long a starting task waits for its JIT config before it exits, in seconds (30 to 3600). modules/runners validates it (pools[*])."
  type        = number
  default     = 300
  nullable    = false
}

variable "vpc_id" {
  description = "VPC of the subnets the pool's tasks run in (for their security group). The subnets themselves are RunTask's network configuration, chosen by scale-up."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID (vpc- followed by 8 or 17 hex digits)."
  }
}

variable "egress_rules" {
  description = "Outbound rules of the tasks' security group (there are never inbound rules). Each has a description, exactly one of cidr_ipv4, cidr_ipv6 or prefix_list_id, ip_protocol (\"-1\" for all, tcp, udp, icmp, icmpv6) and from_port/to_port for tcp/udp. Default: everything, IPv4 and IPv6. Empty: no egress at all (the task could then reach neither ECR, SSM nor GitHub without VPC endpoints). modules/runners validates it (pools[*])."
  type = list(object({
    description    = string
    cidr_ipv4      = optional(string)
    cidr_ipv6      = optional(string)
    prefix_list_id = optional(string)
    ip_protocol    = optional(string, "-1")
    from_port      = optional(number)
    to_port        = optional(number)
  }))
  default = [
    { description = "All IPv4 traffic out", cidr_ipv4 = "0.0.0.0/0" },
    { description = "All IPv6 traffic out", cidr_ipv6 = "::/0" },
  ]
  nullable = false
}

variable "logs" {
  description = "The tasks' log group, /skiff/<prefix>/<name> (the awslogs driver; streams runner/runner/<task-id>): retention_in_days (a CloudWatch Logs retention value, default 30) and kms_key_arn (a customer managed key that encrypts the group; null for none; its key policy must let CloudWatch Logs use it)."
  type = object({
    retention_in_days = optional(number, 30)
    kms_key_arn       = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.logs.retention_in_days)
    error_message = "logs.retention_in_days must be a CloudWatch Logs retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }

  validation {
    condition     = var.logs.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", coalesce(var.logs.kms_key_arn, "-")))
    error_message = "logs.kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

variable "jit_kms_key_arn" {
  description = "Customer managed KMS key that encrypts the JIT config parameters, if any (scale-up's jit_kms_key_arn). The task may then kms:Decrypt with it through SSM only."
  type        = string
  default     = null

  validation {
    condition     = var.jit_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", coalesce(var.jit_kms_key_arn, "-")))
    error_message = "jit_kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

variable "secret_parameters" {
  description = "Names of SSM parameters tasks must never read, besides everything under /<prefix>/github-app/ which is always denied: the GitHub App's private key and webhook secret parameters wherever they live (e.g. [\"/shared/app-key\"])."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for name in var.secret_parameters : length(name) <= 1011 && can(regex("^/?[A-Za-z0-9_./-]+$", name))])
    error_message = "secret_parameters must be SSM parameter names (letters, digits, _ . - and /, optionally starting with /)."
  }
}

variable "iam" {
  description = "Both IAM roles this module creates (task and execution): permissions_boundary_arn (a managed policy ARN set as each role's permissions boundary; null for none) and path (the roles' IAM path, \"/\" or /<segments>/). modules/runners validates both."
  type = object({
    permissions_boundary_arn = optional(string)
    path                     = optional(string, "/")
  })
  default  = {}
  nullable = false
}

variable "tags" {
  description = "Tags for the module's resources. skiff's own tags (skiff:prefix, skiff:pool, skiff:job-id, skiff:owner) are put on each task by scale-up's RunTask; the task definition does not propagate tags. modules/runners validates them."
  type        = map(string)
  default     = {}
  nullable    = false
}
