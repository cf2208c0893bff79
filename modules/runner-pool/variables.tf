variable "prefix" {
  description = "The skiff deployment's prefix (^[a-z][a-z0-9-]{0,19}$). JIT configs live at /<prefix>/jit/<instance-id>; names start with it."
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

variable "ami_id" {
  description = "AMI the runners boot: a baked skiff AMI (packer/runner) or stock Amazon Linux 2023 with embed_bootstrap = true. The caller resolves names, filters or SSM aliases to an ID."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^ami-[0-9a-f]{8,17}$", var.ami_id))
    error_message = "ami_id must be an AMI ID (ami- followed by 8 or 17 hex digits)."
  }
}

variable "embed_bootstrap" {
  description = "Put the bootstrap and runner install in the user data (about 10 KB) so a stock Amazon Linux 2023 AMI works. Set false for a baked skiff AMI: smaller user data, the same boot path."
  type        = bool
  default     = true
  nullable    = false
}

variable "boot_timeout_seconds" {
  description = "How long a booting instance waits for its JIT config before it powers off (and so terminates), in seconds (30 to 3600)."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.boot_timeout_seconds >= 30 && var.boot_timeout_seconds <= 3600 && floor(var.boot_timeout_seconds) == var.boot_timeout_seconds
    error_message = "boot_timeout_seconds must be a whole number from 30 to 3600."
  }
}

variable "vpc_id" {
  description = "VPC of the subnets the pool launches into (for the runners' security group)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID (vpc- followed by 8 or 17 hex digits)."
  }
}

variable "egress_rules" {
  description = "Outbound rules of the runners' security group (there are never inbound rules). Each has a description, exactly one of cidr_ipv4, cidr_ipv6 or prefix_list_id, ip_protocol (\"-1\" for all, tcp, udp, icmp, icmpv6) and from_port/to_port for tcp/udp. Default: everything, IPv4 and IPv6. Empty: no egress at all."
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

  validation {
    condition     = alltrue([for r in var.egress_rules : length(compact([r.cidr_ipv4, r.cidr_ipv6, r.prefix_list_id])) == 1])
    error_message = "egress_rules: each rule needs exactly one of cidr_ipv4, cidr_ipv6 or prefix_list_id."
  }

  validation {
    condition     = alltrue([for r in var.egress_rules : contains(["-1", "tcp", "udp", "icmp", "icmpv6"], r.ip_protocol)])
    error_message = "egress_rules: ip_protocol must be \"-1\" (all), tcp, udp, icmp or icmpv6."
  }

  validation {
    condition     = alltrue([for r in var.egress_rules : !contains(["tcp", "udp"], r.ip_protocol) || (r.from_port != null && r.to_port != null)])
    error_message = "egress_rules: tcp and udp rules need from_port and to_port."
  }

  validation {
    condition     = alltrue([for r in var.egress_rules : (r.cidr_ipv4 == null || can(cidrhost(r.cidr_ipv4, 0))) && (r.cidr_ipv6 == null || can(cidrhost(r.cidr_ipv6, 0)))])
    error_message = "egress_rules: cidr_ipv4 and cidr_ipv6 must be CIDR blocks."
  }
}

variable "root_volume" {
  description = "The encrypted gp3 root volume: size_gb (8 to 16384), iops (3000 to 80000), throughput in MiB/s (125 to 2000, at most iops / 4), kms_key_arn (null: the account's default EBS key) and device_name (the AMI's root device; /dev/xvda on Amazon Linux)."
  type = object({
    size_gb     = optional(number, 30)
    iops        = optional(number, 3000)
    throughput  = optional(number, 125)
    kms_key_arn = optional(string)
    device_name = optional(string, "/dev/xvda")
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.root_volume.size_gb >= 8 && var.root_volume.size_gb <= 16384 && floor(var.root_volume.size_gb) == var.root_volume.size_gb
    error_message = "root_volume.size_gb must be a whole number from 8 to 16384."
  }

  validation {
    condition     = var.root_volume.iops >= 3000 && var.root_volume.iops <= 80000 && floor(var.root_volume.iops) == var.root_volume.iops
    error_message = "root_volume.iops must be a whole number from 3000 to 80000 (gp3)."
  }

  validation {
    condition     = var.root_volume.throughput >= 125 && var.root_volume.throughput <= 2000 && var.root_volume.throughput <= var.root_volume.iops / 4
    error_message = "root_volume.throughput must be 125 to 2000 MiB/s and at most iops / 4 (gp3)."
  }

  validation {
    condition     = var.root_volume.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.root_volume.kms_key_arn))
    error_message = "root_volume.kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }

  validation {
    condition     = can(regex("^/dev/(sd[a-z][0-9]*|xvd[a-z])$", var.root_volume.device_name))
    error_message = "root_volume.device_name must be a device such as /dev/xvda or /dev/sda1."
  }
}

variable "jit_kms_key_arn" {
  description = "Customer managed KMS key that encrypts the JIT config parameters, if any (scale-up's jit_kms_key_arn). The runner may then kms:Decrypt with it through SSM only."
  type        = string
  default     = null

  validation {
    condition     = var.jit_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.jit_kms_key_arn))
    error_message = "jit_kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

variable "session_manager" {
  description = "Let Session Manager reach the runners (opt-in debugging): the role gets the SSM agent's minimal actions (ssm:UpdateInstanceInformation and the four ssmmessages channel actions), not AmazonSSMManagedInstanceCore, which also allows ssm:GetParameter* on every parameter. The role's explicit denies (other instances' JIT configs, the GitHub App's secrets) hold either way. Default false."
  type        = bool
  default     = false
  nullable    = false
}

variable "secret_parameters" {
  description = "Names of SSM parameters runners must never read, besides everything under /<prefix>/github-app/ which is always denied: the GitHub App's private key and webhook secret parameters wherever they live (e.g. [\"/shared/app-key\"])."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "cloudwatch_agent_logs" {
  description = "Ship the bootstrap's and the runner's logs to a log group of the pool (/skiff/<prefix>/<name>; streams <instance-id>/bootstrap and <instance-id>/runner) with the CloudWatch agent, and allow writing to it, and only to it: enabled (default false), retention_in_days (a CloudWatch Logs retention value, default 30), kms_key_arn (encrypts the group; null for none). User data configures and starts the agent: a stock AMI installs it at boot, a baked AMI needs it baked (packer/runner install_cloudwatch_agent). No managed policy is attached: CloudWatchAgentServerPolicy would allow writing to any log group."
  type = object({
    enabled           = optional(bool, false)
    retention_in_days = optional(number, 30)
    kms_key_arn       = optional(string)
  })
  default  = {}
  nullable = false
}
variable "hooks" {
  description = "Shell scripts (bash) the pool's runners run, \"\" for none: pre_install and post_install as root before and after the runner is installed (stock AMIs only: embed_bootstrap = true); job_started and job_completed as the runner user before and after each job (ACTIONS_RUNNER_HOOK_JOB_STARTED / _COMPLETED), with the job's GITHUB_* environment. They go into user data, which EC2 caps at 16384 bytes (checked at plan). modules/runners validates them."
  type = object({
    pre_install   = optional(string, "")
    post_install  = optional(string, "")
    job_started   = optional(string, "")
    job_completed = optional(string, "")
  })
  default  = {}
  nullable = false
}

variable "iam" {
  description = "Every IAM role this module creates: permissions_boundary_arn (a managed policy ARN set as each role's permissions boundary; null for none) and path (the roles' IAM path, \"/\" or /<segments>/). modules/runners validates both."
  type = object({
    permissions_boundary_arn = optional(string)
    path                     = optional(string, "/")
  })
  default  = {}
  nullable = false
}

variable "tags" {
  description = "Tags for the module's resources, also stamped on instances, volumes and network interfaces through the launch template. skiff's own tags (skiff:prefix, skiff:pool, skiff:job-id, skiff:owner) are added at launch by scale-up."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.tags) : !startswith(k, "skiff:")])
    error_message = "tags must not use the skiff: prefix, which scale-up sets at launch."
  }
}
