variable "prefix" {
  description = "Name of this skiff deployment (^[a-z][a-z0-9-]{0,19}$). Every name starts with it (<prefix>-webhook, <prefix>-jobs, ...), JIT configs live under /<prefix>/jit/, and runners register as <prefix>-<instance-id>."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.prefix))
    error_message = "prefix must match ^[a-z][a-z0-9-]{0,19}$ (lower case letter, then up to 19 lower case letters, digits or hyphens)."
  }
}

variable "github_app" {
  description = "The GitHub App (docs/github-app.md): id (numeric App ID); key_ssm_parameter (SSM SecureString holding its PEM private key; default /<prefix>/github-app/key); webhook_secret_ssm_parameters (SecureStrings holding the webhook secret, current first, then old ones during a rotation, 1 to 10; default [\"/<prefix>/github-app/webhook-secret\"]); api_url (https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise Server); kms_key_arn (customer managed key of those parameters; null for the AWS managed aws/ssm key). skiff reads the parameters at run time; it never creates them, so secrets stay out of the Terraform state."
  type = object({
    id                            = string
    key_ssm_parameter             = optional(string)
    webhook_secret_ssm_parameters = optional(list(string))
    api_url                       = optional(string, "https://api.github.com")
    kms_key_arn                   = optional(string)
  })
  nullable = false

  validation {
    condition     = can(regex("^[0-9]+$", var.github_app.id))
    error_message = "github_app.id must be the App's numeric ID (the \"App ID\" on the App's settings page), e.g. \"123456\"."
  }

  validation {
    condition = alltrue([
      for n in concat(compact([var.github_app.key_ssm_parameter]), coalesce(var.github_app.webhook_secret_ssm_parameters, [])) :
      can(regex("^[A-Za-z0-9_./-]+$", n)) && length(n) <= 1011 && !can(regex("^/?(?i:aws|ssm)", n))
    ])
    error_message = "github_app.key_ssm_parameter and github_app.webhook_secret_ssm_parameters must be SSM parameter names (letters, digits, _ . - /), not ARNs or values, and not starting with aws or ssm."
  }

  validation {
    condition     = var.github_app.webhook_secret_ssm_parameters == null || try(length(var.github_app.webhook_secret_ssm_parameters) >= 1 && length(var.github_app.webhook_secret_ssm_parameters) <= 10, false)
    error_message = "github_app.webhook_secret_ssm_parameters must list 1 to 10 parameter names (current secret first), or be left out for [\"/<prefix>/github-app/webhook-secret\"]."
  }

  validation {
    condition     = can(regex("^https://[^/\\s]+(/api/v3)?/?$", var.github_app.api_url))
    error_message = "github_app.api_url must be https://api.github.com or https://<host>/api/v3 (GitHub Enterprise Server)."
  }

  validation {
    condition     = var.github_app.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", coalesce(var.github_app.kms_key_arn, "-")))
    error_message = "github_app.kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

variable "network" {
  description = <<-EOT
    Where runners launch. Either an existing network: vpc_id and subnet_ids (1 to 16 subnets of that VPC, at most one per Availability Zone: CreateFleet refuses two subnets of one zone as duplicate instance pools; private subnets need NAT or endpoints, public ones need map_public_ip_on_launch, which gives runners their public IPv4 address); lookup_subnets (default true) reads the subnets at plan (ec2:DescribeSubnets) so that two in one zone fail the plan, naming them; false skips that AWS call and the check.
    Or create_vpc, a new VPC from modules/vpc: availability_zones (1 to 6 zone names of the provider's region, required), cidr_block (default 10.0.0.0/16), mode ("public": runners get public IPs and there is no NAT, $0 at idle, the default; "private": NAT gateway(s), ≈ $32.85/month each plus $3.65 for its Elastic IP in us-east-1, and $0.045 per GB through it), nat_gateway_per_az (default false), gateway_endpoints ({ s3 = true, dynamodb = false }), flow_logs ({ enabled = false, traffic_type = "REJECT", retention_in_days = 30, kms_key_arn = null }).
  EOT
  type = object({
    vpc_id         = optional(string)
    subnet_ids     = optional(list(string), [])
    lookup_subnets = optional(bool, true)
    create_vpc = optional(object({
      availability_zones = list(string)
      cidr_block         = optional(string, "10.0.0.0/16")
      mode               = optional(string, "public")
      nat_gateway_per_az = optional(bool, false)
      gateway_endpoints = optional(object({
        s3       = optional(bool, true)
        dynamodb = optional(bool, false)
      }), {})
      flow_logs = optional(object({
        enabled           = optional(bool, false)
        traffic_type      = optional(string, "REJECT")
        retention_in_days = optional(number, 30)
        kms_key_arn       = optional(string)
      }), {})
    }))
  })
  nullable = false

  validation {
    condition     = (var.network.create_vpc == null) == (var.network.vpc_id != null) && (var.network.create_vpc == null) == (length(var.network.subnet_ids) > 0)
    error_message = "network must have either vpc_id and subnet_ids (an existing network) or create_vpc (a new VPC), not both and not neither."
  }

  validation {
    condition     = var.network.vpc_id == null || can(regex("^vpc-[0-9a-f]{8,17}$", coalesce(var.network.vpc_id, "-")))
    error_message = "network.vpc_id must be a VPC ID (vpc- followed by 8 or 17 hex digits)."
  }

  validation {
    condition     = length(var.network.subnet_ids) <= 16 && length(distinct(var.network.subnet_ids)) == length(var.network.subnet_ids) && alltrue([for s in var.network.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "network.subnet_ids must hold at most 16 distinct subnet IDs (subnet- followed by 8 or 17 hex digits)."
  }

  validation {
    # One subnet per zone: CreateFleet refuses two overrides of one type in one zone.
    condition     = var.network.create_vpc == null || try(length(distinct(var.network.create_vpc.availability_zones)) == length(var.network.create_vpc.availability_zones), false)
    error_message = "network.create_vpc.availability_zones must not repeat a zone (one subnet is created per zone, and CreateFleet refuses two subnets of one zone)."
  }

  validation {
    condition     = var.network.create_vpc == null || try(contains(["public", "private"], var.network.create_vpc.mode), false)
    error_message = "network.create_vpc.mode must be \"public\" (no NAT, runners get public IPs) or \"private\" (NAT gateway)."
  }

  # modules/vpc checks these too; checking them here names them as the caller wrote them
  # (network.create_vpc.…) instead of pointing at a line inside .terraform/modules.
  validation {
    condition = var.network.create_vpc == null || try(
      length(var.network.create_vpc.availability_zones) >= 1 && length(var.network.create_vpc.availability_zones) <= 6
      && length(distinct(var.network.create_vpc.availability_zones)) == length(var.network.create_vpc.availability_zones)
      && alltrue([for az in var.network.create_vpc.availability_zones : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$", az))]),
      false
    )
    error_message = "network.create_vpc.availability_zones must list 1 to 6 distinct zone names of the provider's region, such as \"us-east-1a\" (not zone IDs such as \"use1-az1\")."
  }

  validation {
    condition = var.network.create_vpc == null || try(
      can(regex("^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$", var.network.create_vpc.cidr_block))
      && tonumber(split("/", var.network.create_vpc.cidr_block)[1]) >= 16 && tonumber(split("/", var.network.create_vpc.cidr_block)[1]) <= 24
      && cidrhost(var.network.create_vpc.cidr_block, 0) == split("/", var.network.create_vpc.cidr_block)[0],
      false
    )
    error_message = "network.create_vpc.cidr_block must be an IPv4 network address with a prefix from /16 to /24 and no host bits set, e.g. \"10.0.0.0/16\"."
  }

  validation {
    condition = var.network.create_vpc == null || try(
      contains(["ACCEPT", "REJECT", "ALL"], var.network.create_vpc.flow_logs.traffic_type)
      && contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.network.create_vpc.flow_logs.retention_in_days)
      && (var.network.create_vpc.flow_logs.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.network.create_vpc.flow_logs.kms_key_arn))),
      false
    )
    error_message = "network.create_vpc.flow_logs: traffic_type must be \"ACCEPT\", \"REJECT\" or \"ALL\"; retention_in_days a CloudWatch Logs value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653); kms_key_arn null or a KMS key ARN."
  }
}

variable "pools" {
  description = <<-EOT
    Runner pools by name (^[a-z][a-z0-9-]{0,31}$; 1 to 20 pools). A job goes to the pool whose labels (plus self-hosted, linux and the architecture) include every label of its runs-on; of several, the pool with the fewest labels, then the first by name (Terraform orders maps by key).
    Each pool runs on target "ec2" (the default: one EC2 instance per job) or "fargate" (one ECS task per job on Fargate; README "Choosing a target"). The attributes up to interrupted_retry_on_demand, egress_rules, boot_timeout_seconds, max_lifetime_seconds, runner_level and runner_group apply to both; the others to one target only, and the plan fails when a pool sets another target's.
    EC2 pools: instance_types (1 to 20, required, e.g. ["m7i.large", "m6i.large"]; more types mean more spot capacity); max_runners (1 to 10000, required: the most instances at once); labels (GitHub labels, default []); architecture (x64 or arm64, default x64; Graviton types such as m7g, c6gn, t4g need arm64); capacity_type (spot or on-demand, default spot); on_demand_fallback (launch on-demand when spot has no capacity, default true); spot_allocation_strategy (price-capacity-optimized, capacity-optimized, lowest-price or diversified); interrupted_retry_on_demand (re-run jobs lost to a spot interruption on on-demand, default true);
    ami (id = "ami-..." or ssm_parameter = an SSM parameter name holding the AMI ID, read at plan; default: the Amazon Linux 2023 public parameter /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-<x86_64|arm64>); baked_ami (the AMI is a skiff AMI from packer/runner, so the bootstrap is not put in user data; default false, needs ami); disk_size_gb (8 to 16384, default 30); disk_iops (gp3, 3000 to 80000, default 3000, the free baseline) and disk_throughput (MiB/s, 125 to 2000 and at most disk_iops / 4, default 125, the free baseline); egress_rules (the runners' security group's outbound rules, replacing the default of all traffic out, IPv4 and IPv6: each { description, exactly one of cidr_ipv4, cidr_ipv6 or prefix_list_id, ip_protocol ("-1" for all, tcp, udp, icmp, icmpv6), from_port and to_port for tcp and udp }; runners need HTTPS to GitHub, SSM and, on stock AMIs, the package repositories; there are never inbound rules); boot_timeout_seconds (30 to 3600, default 300: an instance whose runner has not started by then is terminated); max_lifetime_seconds (300 to 604800, default 21600: no runner lives longer); runner_level (repo or org, default repo); runner_group (org pools only, and required there: the name or numeric ID of the organisation runner group the runners join, e.g. "skiff"; create the group in the organisation settings and give it only the repositories skiff serves. "Default" (or 1) must be stated to use the Default group, which every repository of the organisation can use, private ones included); associate_public_ip_address (no longer used, must be left out: a runner gets a public IPv4 address when its subnet has map_public_ip_on_launch, as modules/vpc's public subnets do);
    debug (session_manager, ship_logs: this pool's override of the debug variable; unset takes debug's value);
    hooks (bash scripts, default none; README "Hooks"): pre_install and post_install run as root before and after the runner is installed (stock AMIs only; bake those steps into the AMI instead), job_started and job_completed run as the runner user before and after each job with the job's GITHUB_* environment (ACTIONS_RUNNER_HOOK_JOB_STARTED / _COMPLETED; a failing job_started fails the job). They travel in user data, which EC2 caps at 16384 bytes: about 1.4 KB is left for all four on a stock AMI (the embedded bootstrap takes 14.9 KB), about 13.7 KB on a baked AMI; each hook costs about 80 bytes of wrapping; the plan fails naming the pool when they do not fit;
    warm (org pools only, default none: runners kept booted and registered, waiting for any job of the pool, so a job starts without waiting for EC2): idle (0 to max_runners: how many wait; they count against max_runners), organization (the organisation they register in: the App must be installed there), max_idle_seconds (300 to 604800, default 14400: an older waiting runner is replaced; so is one launched from an older launch template version, e.g. after an AMI change: a new AMI under ami.ssm_parameter counts from the next terraform apply, which reads the parameter at plan), schedule (time windows in which runners wait, as five-field cron expressions matching every minute of the window, e.g. { cron = "* 7-18 * * mon-fri", timezone = "Europe/Berlin" }; default [] = always; outside every window none wait and nothing is spent).
    Fargate pools (target = "fargate"): image (required: the runner image built from images/runner, in a private ECR repository, by tag or digest, e.g. "123456789012.dkr.ecr.us-east-1.amazonaws.com/ci/skiff-runner:2.337.0-x86_64"; the task execution role may pull from that repository only); cpu (task CPU units, 256, 512, 1024, 2048, 4096, 8192 or 16384, 1024 = 1 vCPU; default 2048) and memory (MiB, a size Fargate offers with that cpu: 256 → 512, 1024 or 2048; 512 → 1024–4096; 1024 → 2048–8192; 2048 → 4096–16384; 4096 → 8192–30720, in steps of 1024; 8192 → 16384–61440 in steps of 4096; 16384 → 32768–122880 in steps of 8192; default 4 × cpu); ephemeral_storage_gb (20 to 200, default 20, Fargate's included storage; more is billed per GiB-hour); assign_public_ip (give each task a public IPv4 address, which it needs in a subnet without NAT to reach ECR, SSM and GitHub; default true with network.create_vpc in "public" mode, else false). capacity_type spot runs on FARGATE_SPOT, on-demand on FARGATE; arm64 Fargate pools must say capacity_type = "on-demand" (Fargate Spot runs x86_64 only). egress_rules shape the tasks' security group as for instances. The tasks' logs go to /skiff/<prefix>/<pool>, kept debug.log_retention_in_days.
  EOT
  # EC2-only attributes whose default would hide that a Fargate pool sets them are
  # optional without a default here; main.tf's ec2_pools applies their defaults.
  type = map(object({
    target                      = optional(string, "ec2")
    instance_types              = optional(list(string))
    max_runners                 = number
    labels                      = optional(list(string), [])
    architecture                = optional(string, "x64")
    capacity_type               = optional(string, "spot")
    on_demand_fallback          = optional(bool, true)
    spot_allocation_strategy    = optional(string)
    interrupted_retry_on_demand = optional(bool, true)
    ami = optional(object({
      id            = optional(string)
      ssm_parameter = optional(string)
    }), {})
    baked_ami            = optional(bool, false)
    disk_size_gb         = optional(number)
    disk_iops            = optional(number)
    disk_throughput      = optional(number)
    image                = optional(string)
    cpu                  = optional(number)
    memory               = optional(number)
    ephemeral_storage_gb = optional(number)
    assign_public_ip     = optional(bool)
    egress_rules = optional(list(object({
      description    = string
      cidr_ipv4      = optional(string)
      cidr_ipv6      = optional(string)
      prefix_list_id = optional(string)
      ip_protocol    = optional(string, "-1")
      from_port      = optional(number)
      to_port        = optional(number)
    })))
    boot_timeout_seconds        = optional(number, 300)
    max_lifetime_seconds        = optional(number, 21600)
    runner_level                = optional(string, "repo")
    runner_group                = optional(string)
    associate_public_ip_address = optional(bool)
    debug = optional(object({
      session_manager = optional(bool)
      ship_logs       = optional(bool)
    }), {})
    hooks = optional(object({
      pre_install   = optional(string, "")
      post_install  = optional(string, "")
      job_started   = optional(string, "")
      job_completed = optional(string, "")
    }), {})
    warm = optional(object({
      idle             = number
      organization     = string
      max_idle_seconds = optional(number, 14400)
      schedule = optional(list(object({
        cron     = string
        timezone = optional(string, "UTC")
      })), [])
    }))
  }))
  nullable = false

  # Each message names the pools that break the rule, as pools["<name>"].<attribute>: the
  # for-expression in error_message repeats the condition's test, inverted.
  validation {
    condition     = length(var.pools) >= 1 && length(var.pools) <= 20
    error_message = "pools must hold 1 to 20 pools (it holds ${length(var.pools)})."
  }

  validation {
    condition     = alltrue([for name in keys(var.pools) : can(regex("^[a-z][a-z0-9-]{0,31}$", name))])
    error_message = "pools keys (pool names) must match ^[a-z][a-z0-9-]{0,31}$ (lower case letter, then up to 31 lower case letters, digits or hyphens); not: ${join(", ", [for name in keys(var.pools) : "\"${name}\"" if !can(regex("^[a-z][a-z0-9-]{0,31}$", name))])}."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : contains(["ec2", "fargate"], p.target)])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].target" if !contains(["ec2", "fargate"], p.target)])} must be \"ec2\" (instances launched with CreateFleet, the default) or \"fargate\" (ECS tasks on Fargate)."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : p.target != "ec2" || try(length(p.instance_types) >= 1 && length(p.instance_types) <= 20 && alltrue([for t in p.instance_types : can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", t))]), false)])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].instance_types" if !(p.target != "ec2" || try(length(p.instance_types) >= 1 && length(p.instance_types) <= 20 && alltrue([for t in p.instance_types : can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", t))]), false))])} must list 1 to 20 EC2 instance types such as \"m7i.large\" (required for target = \"ec2\", the default)."
  }

  # A Fargate task takes its size from cpu and memory and its software from image; what
  # shapes an EC2 instance would be silently ignored there, so it is refused.
  validation {
    condition = alltrue([for p in values(var.pools) : p.target != "fargate" || !anytrue([
      p.instance_types != null, p.spot_allocation_strategy != null, p.ami.id != null || p.ami.ssm_parameter != null, p.baked_ami,
      p.disk_size_gb != null, p.disk_iops != null, p.disk_throughput != null, anytrue([for h in values(p.hooks) : h != ""]),
      p.warm != null, p.debug.session_manager != null || p.debug.ship_logs != null,
    ])])
    error_message = "${join(", ", flatten([for k, p in var.pools : [for a, set in {
      instance_types = p.instance_types != null, spot_allocation_strategy = p.spot_allocation_strategy != null, ami = p.ami.id != null || p.ami.ssm_parameter != null, baked_ami = p.baked_ami,
      disk_size_gb   = p.disk_size_gb != null, disk_iops = p.disk_iops != null, disk_throughput = p.disk_throughput != null, hooks = anytrue([for h in values(p.hooks) : h != ""]),
      warm           = p.warm != null, debug = p.debug.session_manager != null || p.debug.ship_logs != null,
    } : "pools[\"${k}\"].${a}" if set] if p.target == "fargate"]))} apply to target = \"ec2\" pools only; remove them from the Fargate pool. A Fargate task is sized by cpu, memory and ephemeral_storage_gb and runs image; Fargate pools keep no warm runners and take no hooks or debug settings."
  }

  validation {
    condition = alltrue([for p in values(var.pools) : p.target != "ec2" || !anytrue([
      p.image != null, p.cpu != null, p.memory != null, p.ephemeral_storage_gb != null, p.assign_public_ip != null,
    ])])
    error_message = "${join(", ", flatten([for k, p in var.pools : [for a, set in {
      image = p.image != null, cpu = p.cpu != null, memory = p.memory != null, ephemeral_storage_gb = p.ephemeral_storage_gb != null, assign_public_ip = p.assign_public_ip != null,
    } : "pools[\"${k}\"].${a}" if set] if p.target == "ec2"]))} apply to target = \"fargate\" pools only: an EC2 pool is sized by instance_types and disk_size_gb and boots ami. Set target = \"fargate\" or remove them."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : p.target != "fargate" || can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9]+(?:[._/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$", p.image))])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].image" if !(p.target != "fargate" || can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9]+(?:[._/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$", p.image)))])} must be the runner image (images/runner) in a private ECR repository, by tag or digest: <12-digit account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> or .../<repository>@sha256:<64 hex digits> (required for target = \"fargate\")."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : p.target != "fargate" || contains([256, 512, 1024, 2048, 4096, 8192, 16384], coalesce(p.cpu, 2048))])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].cpu (${coalesce(p.cpu, 2048)})" if !(p.target != "fargate" || contains([256, 512, 1024, 2048, 4096, 8192, 16384], coalesce(p.cpu, 2048)))])} must be one of Fargate's task CPU values: 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 = 1 vCPU; default 2048)."
  }

  validation {
    # Fargate's task sizes (Amazon ECS Developer Guide, "Task CPU and memory"), as
    # lambdas/src/shared/pools.ts FARGATE_SIZES: for each cpu value, the memory it allows.
    condition = alltrue([for p in values(var.pools) : p.target != "fargate" || contains(lookup({
      "256"  = [512, 1024, 2048], "512" = range(1024, 4097, 1024), "1024" = range(2048, 8193, 1024), "2048" = range(4096, 16385, 1024),
      "4096" = range(8192, 30721, 1024), "8192" = range(16384, 61441, 4096), "16384" = range(32768, 122881, 8192),
    }, tostring(coalesce(p.cpu, 2048)), []), coalesce(p.memory, 4 * coalesce(p.cpu, 2048)))])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"] (cpu = ${coalesce(p.cpu, 2048)}, memory = ${coalesce(p.memory, 4 * coalesce(p.cpu, 2048))})" if !(p.target != "fargate" || contains(lookup({
      "256"  = [512, 1024, 2048], "512" = range(1024, 4097, 1024), "1024" = range(2048, 8193, 1024), "2048" = range(4096, 16385, 1024),
      "4096" = range(8192, 30721, 1024), "8192" = range(16384, 61441, 4096), "16384" = range(32768, 122881, 8192),
    }, tostring(coalesce(p.cpu, 2048)), []), coalesce(p.memory, 4 * coalesce(p.cpu, 2048))))])}: memory (MiB) must be a size Fargate offers with that cpu: 256 → 512, 1024 or 2048; 512 → 1024 to 4096; 1024 → 2048 to 8192; 2048 → 4096 to 16384; 4096 → 8192 to 30720 (all in steps of 1024); 8192 → 16384 to 61440 in steps of 4096; 16384 → 32768 to 122880 in steps of 8192. Default: 4 × cpu."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : p.target != "fargate" || try(coalesce(p.ephemeral_storage_gb, 20) >= 20 && coalesce(p.ephemeral_storage_gb, 20) <= 200 && floor(coalesce(p.ephemeral_storage_gb, 20)) == coalesce(p.ephemeral_storage_gb, 20), false)])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].ephemeral_storage_gb" if !(p.target != "fargate" || try(coalesce(p.ephemeral_storage_gb, 20) >= 20 && coalesce(p.ephemeral_storage_gb, 20) <= 200 && floor(coalesce(p.ephemeral_storage_gb, 20)) == coalesce(p.ephemeral_storage_gb, 20), false))])} must be a whole number of GiB from 20 (Fargate's included storage, the default) to 200."
  }

  validation {
    # Mirrors lambdas/src/shared/pools.ts, which refuses the same pool at cold start.
    condition     = alltrue([for p in values(var.pools) : !(p.target == "fargate" && p.architecture == "arm64" && p.capacity_type == "spot")])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].capacity_type" if p.target == "fargate" && p.architecture == "arm64" && p.capacity_type == "spot"])} must be \"on-demand\" for an arm64 Fargate pool (capacity_type defaults to \"spot\"): Fargate Spot runs x86_64 tasks only. Set capacity_type = \"on-demand\", or architecture = \"x64\" for Fargate Spot."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : p.max_runners >= 1 && p.max_runners <= 10000 && floor(p.max_runners) == p.max_runners])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].max_runners" if !(p.max_runners >= 1 && p.max_runners <= 10000 && floor(p.max_runners) == p.max_runners)])} must be a whole number from 1 to 10000."
  }

  validation {
    # The rule of lambdas/src/shared/pools.ts (LABEL), which the Lambdas apply again at cold start.
    condition     = alltrue(flatten([for p in values(var.pools) : [for l in p.labels : can(regex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$", l))]]))
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].labels" if !alltrue([for l in p.labels : can(regex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$", l))])])} must be GitHub runner labels: ^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$ (a letter or digit, then up to 99 letters, digits, . _ : -)."
  }

  validation {
    # What the webhook matches against: the pool's labels plus the ones every runner carries,
    # without case. Two pools with the same set would make the second one unreachable.
    condition = length(distinct([
      for p in values(var.pools) : join(",", sort(distinct([for l in concat(p.labels, ["self-hosted", "linux", p.architecture]) : lower(l)])))
    ])) == length(var.pools)
    error_message = "pools must not have two pools with the same label set (labels are compared without case, together with self-hosted, linux and the architecture): the second would never get a job. Pools and their label sets: ${join("; ", [for k, p in var.pools : "${k}: ${join(",", sort(distinct([for l in concat(p.labels, ["self-hosted", "linux", p.architecture]) : lower(l)])))}"])}."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : contains(["x64", "arm64"], p.architecture)])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].architecture" if !contains(["x64", "arm64"], p.architecture)])} must be \"x64\" or \"arm64\"."
  }

  validation {
    # Graviton families have a "g" right after the generation digit (m7g, c6gn, r8gd, t4g,
    # im4gn, is4gen) or are a1. Everything else skiff can name is x86_64.
    condition = alltrue([for p in values(var.pools) : alltrue([
      for t in p.instance_types == null ? [] : p.instance_types : (can(regex("^([a-z]+[0-9]+g[a-z0-9-]*|a1)\\.", t)) ? "arm64" : "x64") == p.architecture
    ])])
    error_message = "${join(", ", flatten([for k, p in var.pools : [for t in p.instance_types == null ? [] : p.instance_types : "pools[\"${k}\"].instance_types \"${t}\" (architecture = \"${p.architecture}\")" if(can(regex("^([a-z]+[0-9]+g[a-z0-9-]*|a1)\\.", t)) ? "arm64" : "x64") != p.architecture]]))}: instance types must match the pool's architecture. Graviton types (a \"g\" after the generation digit, such as m7g, c6gn, t4g) need architecture = \"arm64\", all others \"x64\"."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : contains(["spot", "on-demand"], p.capacity_type)])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].capacity_type" if !contains(["spot", "on-demand"], p.capacity_type)])} must be \"spot\" or \"on-demand\"."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : contains(["price-capacity-optimized", "capacity-optimized", "lowest-price", "diversified"], coalesce(p.spot_allocation_strategy, "price-capacity-optimized"))])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].spot_allocation_strategy" if !contains(["price-capacity-optimized", "capacity-optimized", "lowest-price", "diversified"], coalesce(p.spot_allocation_strategy, "price-capacity-optimized"))])} must be one of price-capacity-optimized, capacity-optimized, lowest-price, diversified."
  }

  validation {
    condition = alltrue([for p in values(var.pools) :
      !(p.ami.id != null && p.ami.ssm_parameter != null)
      && (p.ami.id == null || can(regex("^ami-[0-9a-f]{8,17}$", coalesce(p.ami.id, "-"))))
      && (p.ami.ssm_parameter == null || can(regex("^(resolve:ssm:)?/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", coalesce(p.ami.ssm_parameter, "-"))))
    ])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].ami" if !(!(p.ami.id != null && p.ami.ssm_parameter != null) && (p.ami.id == null || can(regex("^ami-[0-9a-f]{8,17}$", coalesce(p.ami.id, "-")))) && (p.ami.ssm_parameter == null || can(regex("^(resolve:ssm:)?/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", coalesce(p.ami.ssm_parameter, "-")))))])} must set at most one of id (ami- followed by 8 or 17 hex digits) and ssm_parameter (an SSM parameter name such as /skiff/runner-ami, optionally written resolve:ssm:/skiff/runner-ami); leave both out for Amazon Linux 2023."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : !p.baked_ami || p.ami.id != null || p.ami.ssm_parameter != null])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].baked_ami" if !(!p.baked_ami || p.ami.id != null || p.ami.ssm_parameter != null)])} = true needs ami.id or ami.ssm_parameter in the same pool: the default Amazon Linux 2023 AMI is not a baked skiff AMI."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : p.disk_size_gb == null || try(p.disk_size_gb >= 8 && p.disk_size_gb <= 16384 && floor(p.disk_size_gb) == p.disk_size_gb, false)])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].disk_size_gb" if !(p.disk_size_gb == null || try(p.disk_size_gb >= 8 && p.disk_size_gb <= 16384 && floor(p.disk_size_gb) == p.disk_size_gb, false))])} must be a whole number from 8 to 16384."
  }

  validation {
    condition = alltrue([for p in values(var.pools) : coalesce(p.disk_iops, 3000) >= 3000 && coalesce(p.disk_iops, 3000) <= 80000 && floor(coalesce(p.disk_iops, 3000)) == coalesce(p.disk_iops, 3000)
    && coalesce(p.disk_throughput, 125) >= 125 && coalesce(p.disk_throughput, 125) <= 2000 && coalesce(p.disk_throughput, 125) <= coalesce(p.disk_iops, 3000) / 4])
    error_message = "pools[*].disk_iops must be a whole number from 3000 to 80000 and disk_throughput 125 to 2000 MiB/s, at most disk_iops / 4 (gp3)."
  }

  validation {
    condition = alltrue([for p in values(var.pools) : p.egress_rules == null || try(length(p.egress_rules) <= 60 && alltrue([for r in p.egress_rules :
      length(compact([r.cidr_ipv4, r.cidr_ipv6, r.prefix_list_id])) == 1 && contains(["-1", "tcp", "udp", "icmp", "icmpv6"], r.ip_protocol)
      && (!contains(["tcp", "udp"], r.ip_protocol) || (r.from_port != null && r.to_port != null))
      && (r.cidr_ipv4 == null || can(cidrhost(r.cidr_ipv4, 0))) && (r.cidr_ipv6 == null || can(cidrhost(r.cidr_ipv6, 0)))
      && (r.prefix_list_id == null || can(regex("^pl-[0-9a-f]{8,17}$", coalesce(r.prefix_list_id, "-"))))
    ]), false)])
    error_message = "pools[*].egress_rules: at most 60 rules, each with exactly one of cidr_ipv4, cidr_ipv6 (CIDR blocks) or prefix_list_id (pl-...), ip_protocol \"-1\", tcp, udp, icmp or icmpv6, and from_port and to_port for tcp and udp."
  }

  validation {
    condition = alltrue([for p in values(var.pools) :
      p.boot_timeout_seconds >= 30 && p.boot_timeout_seconds <= 3600 && floor(p.boot_timeout_seconds) == p.boot_timeout_seconds
      && p.max_lifetime_seconds >= 300 && p.max_lifetime_seconds <= 604800 && floor(p.max_lifetime_seconds) == p.max_lifetime_seconds
      && p.boot_timeout_seconds < p.max_lifetime_seconds
    ])
    error_message = "${join(", ", [for k, p in var.pools : "pools[\"${k}\"].boot_timeout_seconds (${p.boot_timeout_seconds}) and max_lifetime_seconds (${p.max_lifetime_seconds})" if !(p.boot_timeout_seconds >= 30 && p.boot_timeout_seconds <= 3600 && floor(p.boot_timeout_seconds) == p.boot_timeout_seconds && p.max_lifetime_seconds >= 300 && p.max_lifetime_seconds <= 604800 && floor(p.max_lifetime_seconds) == p.max_lifetime_seconds && p.boot_timeout_seconds < p.max_lifetime_seconds)])}: boot_timeout_seconds must be 30 to 3600 and max_lifetime_seconds 300 to 604800 (whole seconds), the boot timeout shorter than the lifetime."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : p.associate_public_ip_address == null])
    error_message = "pools[*].associate_public_ip_address is no longer used: scale-up's CreateFleet names the subnet, and EC2 Fleet then ignores a launch template's network interface settings. A runner gets a public IPv4 address when its subnet has map_public_ip_on_launch (modules/vpc's public subnets do): remove the attribute and set that on the subnets."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : contains(["org", "repo"], p.runner_level)])
    error_message = "pools[*].runner_level must be \"org\" or \"repo\"."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : p.warm == null || p.runner_level == "org"])
    error_message = "pools[*].warm needs runner_level = \"org\": a warm runner waits for any job of its organisation, so it registers there."
  }

  validation {
    condition = alltrue([for p in values(var.pools) : p.warm == null || try(
      p.warm.idle >= 0 && p.warm.idle <= p.max_runners && floor(p.warm.idle) == p.warm.idle &&
      p.warm.max_idle_seconds >= 300 && p.warm.max_idle_seconds <= 604800 &&
      can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}$", p.warm.organization)) &&
      alltrue([for w in p.warm.schedule : length(split(" ", trimspace(w.cron))) == 5 && can(regex("^[A-Za-z0-9_+/-]+$", w.timezone))]),
    false)])
    error_message = "pools[*].warm: idle must be a whole number from 0 to the pool's max_runners, max_idle_seconds 300 to 604800, organization a GitHub organisation login, and each schedule entry a five-field cron expression (minute hour day month weekday) with an IANA time zone such as \"Europe/Berlin\"."
  }

  validation {
    # Org runners in the Default group serve every repository of the organisation, so
    # that group is never chosen for the user: they name a group, or say "Default".
    condition     = alltrue([for p in values(var.pools) : p.runner_level != "org" || p.runner_group != null])
    error_message = "pools[*].runner_group is required when runner_level = \"org\": name the organisation runner group the runners join (e.g. \"skiff\", limited to the repositories skiff serves), or state runner_group = \"Default\" to use the Default group, which every repository of the organisation can use."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : !p.baked_ami || (p.hooks.pre_install == "" && p.hooks.post_install == "")])
    error_message = "pools[*].hooks.pre_install and post_install run around the runner's install on a stock AMI; a baked AMI (baked_ami = true) has the runner already: put those steps in its Packer template (packer/runner/scripts) instead."
  }

  validation {
    # The user data writes each hook with a <<'SKIFF_HOOK' here-document.
    condition     = alltrue([for p in values(var.pools) : alltrue([for h in values(p.hooks) : length(h) <= 16384 && !can(regex("(?m)^SKIFF_HOOK$", h))])])
    error_message = "pools[*].hooks must each be at most 16384 characters (EC2's user-data limit, shared with the bootstrap) and must not contain a line that is exactly SKIFF_HOOK (the here-document delimiter user data writes them with)."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : p.runner_level == "org" || p.runner_group == null])
    error_message = "pools[*].runner_group applies to runner_level = \"org\" only: repository runners have no runner group."
  }

  validation {
    condition = alltrue([for p in values(var.pools) : p.runner_group == null || try(
      can(regex("^[0-9]+$", p.runner_group)) ? tonumber(p.runner_group) >= 1 : can(regex("^[^\\s](.{0,98}[^\\s])?$", p.runner_group)),
    false)])
    error_message = "pools[*].runner_group must be a runner group name (1 to 100 characters, no leading or trailing space) or its numeric ID (1 or more; 1 is the Default group)."
  }
}

variable "lambdas" {
  description = "The four Lambda functions: runtime (nodejs22.x or a later nodejs<N>.x), architecture (arm64, the default and cheaper, or x86_64); dir, the folder holding webhook.zip, scale-up.zip, lifecycle.zip and scale-down.zip (with a git source: the folder scripts/fetch-lambdas.sh wrote, e.g. \"$${path.root}/lambdas\"; default: dist/lambdas of the skiff checkout this module is in, where `make build` writes); zip_paths of webhook, scale_up, lifecycle and scale_down, each overriding dir for one function; functions: memory_size (MB, 128 to 10240) and timeout (seconds) of webhook (256 MB, 10 s; at most 29: API Gateway gives up at 30 s and GitHub at 10 s), scale_up (512 MB, 60 s), lifecycle (256 MB, 30 s) and scale_down (512 MB, 120 s: one reconcile cycle), each 1 to 900 s; the jobs and lifecycle queues' visibility timeouts follow scale_up's and lifecycle's."
  type = object({
    runtime      = optional(string, "nodejs22.x")
    architecture = optional(string, "arm64")
    dir          = optional(string)
    zip_paths = optional(object({
      webhook    = optional(string)
      scale_up   = optional(string)
      lifecycle  = optional(string)
      scale_down = optional(string)
    }), {})
    functions = optional(object({
      webhook    = optional(object({ memory_size = optional(number, 256), timeout = optional(number, 10) }), {})
      scale_up   = optional(object({ memory_size = optional(number, 512), timeout = optional(number, 60) }), {})
      lifecycle  = optional(object({ memory_size = optional(number, 256), timeout = optional(number, 30) }), {})
      scale_down = optional(object({ memory_size = optional(number, 512), timeout = optional(number, 120) }), {})
    }), {})
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^nodejs(2[2-9]|[3-9][0-9])\\.x$", var.lambdas.runtime))
    error_message = "lambdas.runtime must be nodejs22.x or a later nodejs<N>.x runtime."
  }

  validation {
    condition     = alltrue([for f in values(var.lambdas.functions) : f.memory_size >= 128 && f.memory_size <= 10240 && floor(f.memory_size) == f.memory_size && f.timeout >= 1 && f.timeout <= 900 && floor(f.timeout) == f.timeout]) && var.lambdas.functions.webhook.timeout <= 29
    error_message = "lambdas.functions: memory_size must be a whole number of MB from 128 to 10240 and timeout whole seconds from 1 to 900 (webhook: 1 to 29, since API Gateway gives up at 30 s)."
  }

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambdas.architecture)
    error_message = "lambdas.architecture must be \"arm64\" or \"x86_64\"."
  }

  validation {
    condition     = alltrue([for p in values(var.lambdas.zip_paths) : p == null || can(regex("\\.zip$", coalesce(p, "-")))])
    error_message = "lambdas.zip_paths entries must be paths to .zip files (or null for <lambdas.dir>/<name>.zip)."
  }

  validation {
    # try(): null (the default) makes trimspace fail, and null is allowed.
    condition     = try(trimspace(var.lambdas.dir) != "" && !endswith(var.lambdas.dir, ".zip"), true)
    error_message = "lambdas.dir must be a folder (holding webhook.zip, scale-up.zip, lifecycle.zip and scale-down.zip), not empty and not a .zip file; null for dist/lambdas of the skiff checkout."
  }
}

variable "create_spot_service_linked_role" {
  description = "Create the account's EC2 Spot service-linked role (AWSServiceRoleForEC2Spot, for spot.amazonaws.com). Set true on an account that has never launched a Spot Instance: without the role every spot launch is refused and falls back to on-demand. Leave false (the default) when the role exists (any earlier spot use created it; `aws iam get-role --role-name AWSServiceRoleForEC2Spot` tells), since an account holds it once and creating it again fails the apply. Destroying skiff then deletes it, which AWS refuses while spot instances run."
  type        = bool
  default     = false
  nullable    = false
}

variable "reconcile" {
  description = "The scheduled reconcile (scale-down): period_minutes (1 to 60, default 2: how often it runs; a leaked instance or a lost webhook is found within one period plus the grace periods, and each cycle costs one invocation and at most two GitHub calls); reserved_concurrency (null, the default, for none; or 1 to 1000). One reconcile runs at a time without it: the function holds a lock item in the state table. A reservation is taken from the account's unreserved Lambda concurrency, which AWS keeps at 10 or more, so on an account with the default quota of 10 any value fails the apply; ask for a higher quota first."
  type = object({
    reserved_concurrency = optional(number)
    period_minutes       = optional(number, 2)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.reconcile.reserved_concurrency == null || try(var.reconcile.reserved_concurrency >= 1 && var.reconcile.reserved_concurrency <= 1000 && floor(var.reconcile.reserved_concurrency) == var.reconcile.reserved_concurrency, false)
    error_message = "reconcile.reserved_concurrency must be null (no reservation, the default) or a whole number from 1 to 1000."
  }

  validation {
    condition     = var.reconcile.period_minutes >= 1 && var.reconcile.period_minutes <= 60 && floor(var.reconcile.period_minutes) == var.reconcile.period_minutes
    error_message = "reconcile.period_minutes must be a whole number of minutes from 1 to 60."
  }
}

variable "webhook_throttling" {
  description = "Throttling of the webhook endpoint (the HTTP API's $default stage): burst_limit (requests, 1 to 5000; default 1000) and rate_limit (steady requests per second, 1 to 10000; default 200). Sized for a burst: one push can start several workflows, a matrix has up to 256 jobs, and each job sends queued, in_progress and completed within seconds, so a large matrix alone is about 750 deliveries at once. GitHub does not retry a throttled (429) delivery; the reconcile redelivers failed ones, at most reconcile's redeliver_max per cycle, so throttling delays jobs by minutes. The account-wide API Gateway limit (10000 requests per second, burst 5000 per region) and the webhook Lambda's concurrency cap it further."
  type = object({
    burst_limit = optional(number, 1000)
    rate_limit  = optional(number, 200)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.webhook_throttling.burst_limit >= 1 && var.webhook_throttling.burst_limit <= 5000 && floor(var.webhook_throttling.burst_limit) == var.webhook_throttling.burst_limit
    error_message = "webhook_throttling.burst_limit must be a whole number of requests from 1 to 5000 (API Gateway's regional burst quota)."
  }

  validation {
    condition     = var.webhook_throttling.rate_limit >= 1 && var.webhook_throttling.rate_limit <= 10000
    error_message = "webhook_throttling.rate_limit must be from 1 to 10000 requests per second (API Gateway's regional rate quota)."
  }
}

variable "logging" {
  description = "The Lambdas' logs: level (TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL or SILENT; default INFO), retention_in_days (a CloudWatch Logs retention value, default 30; 0 keeps logs forever), kms_key_arn (encrypts the log groups; its key policy must allow CloudWatch Logs; default null)."
  type = object({
    level             = optional(string, "INFO")
    retention_in_days = optional(number, 30)
    kms_key_arn       = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"], var.logging.level)
    error_message = "logging.level must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT."
  }

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.logging.retention_in_days)
    error_message = "logging.retention_in_days must be one of the CloudWatch Logs values: 0 (never expire), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }

  validation {
    condition     = var.logging.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", coalesce(var.logging.kms_key_arn, "-")))
    error_message = "logging.kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for skiff's data at rest: both queues, the state table and the JIT config parameters. Null (the default): AWS managed encryption at no charge. With a key, its key policy must let EventBridge use it to deliver EC2 events to the encrypted lifecycle queue: add the statement of the kms_key_policy_json output (skiff does not own the key policy, so it cannot add it). Until then the rules' FailedInvocations alarms fire."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", coalesce(var.kms_key_arn, "-")))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

variable "ebs_kms_key_arn" {
  description = "Customer managed KMS key for the runners' root volumes (every pool's launch template). Null (the default): the account's default EBS key, AWS managed. With a key, scale-up's role may use it through EC2 for on-demand launches, and the module grants the EC2 Spot service-linked role (AWSServiceRoleForEC2Spot) the use of it for spot launches (aws_kms_grant: the deployer needs kms:CreateGrant on the key, and the role must exist: see create_spot_service_linked_role). The key policy must let IAM policies of the account use the key (the default key policy does)."
  type        = string
  default     = null

  validation {
    condition     = var.ebs_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", coalesce(var.ebs_kms_key_arn, "-")))
    error_message = "ebs_kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "allowed_owners" {
  description = "GitHub organisations or users whose jobs skiff runs; the webhook answers others 403. Empty (default): every owner the App is installed on."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for o in var.allowed_owners : can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}$", o))])
    error_message = "allowed_owners must hold GitHub owner logins (letters, digits and hyphens, at most 39 characters)."
  }
}

variable "allowed_repositories" {
  description = "Repositories (\"owner/name\") whose jobs skiff runs; the webhook answers others 403. Empty (default): every repository."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for r in var.allowed_repositories : can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", r))])
    error_message = "allowed_repositories must hold \"owner/name\" entries."
  }
}

variable "alarm_actions" {
  description = "SNS topic ARNs (at most 5) notified when a skiff alarm fires and when it recovers. Empty (default): alarms show on the dashboard only."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.alarm_actions) <= 5 && alltrue([for a in var.alarm_actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$", a))])
    error_message = "alarm_actions must hold at most 5 SNS topic ARNs (arn:<partition>:sns:<region>:<account>:<topic>)."
  }
}

variable "state_table" {
  description = "The state table (DynamoDB): point_in_time_recovery (default true: continuous backups for 35 days, about $0.20 per GB-month) and deletion_protection (default false: the table holds runtime state that the reconcile rebuilds from EC2 and GitHub; true refuses terraform destroy until turned off)."
  type = object({
    point_in_time_recovery = optional(bool, true)
    deletion_protection    = optional(bool, false)
  })
  default  = {}
  nullable = false
}

variable "jobs_queue" {
  description = "The jobs queue (SQS): max_receive_count (1 to 1000, default 5): how many times scale-up may receive a job, failing each time (no capacity, GitHub errors), before it goes to the dead-letter queue, where the DLQ alarm and the reconcile see it."
  type = object({
    max_receive_count = optional(number, 5)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.jobs_queue.max_receive_count >= 1 && var.jobs_queue.max_receive_count <= 1000 && floor(var.jobs_queue.max_receive_count) == var.jobs_queue.max_receive_count
    error_message = "jobs_queue.max_receive_count must be a whole number from 1 to 1000."
  }
}

variable "debug" {
  description = "Opt-in debugging of the runners, for every pool (pools[*].debug overrides it per pool): session_manager (default false) lets Session Manager open a shell on a runner: the runner role gets the SSM agent's five minimal actions, not AmazonSSMManagedInstanceCore, and its explicit denies keep the GitHub App's key and webhook secrets and every other instance's JIT config out of reach; ship_logs (default false) ships the bootstrap's journal and the runner's _diag logs with the CloudWatch agent to one log group per pool, /skiff/<prefix>/<pool> (output runner_log_group_names; a baked AMI needs the agent baked in: packer/runner install_cloudwatch_agent), kept log_retention_in_days (a CloudWatch Logs retention value, default 14) and encrypted with logging.kms_key_arn. Shipping on a stock AMI adds about 700 bytes of user data, taken from the room left for hooks."
  type = object({
    session_manager       = optional(bool, false)
    ship_logs             = optional(bool, false)
    log_retention_in_days = optional(number, 14)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.debug.log_retention_in_days)
    error_message = "debug.log_retention_in_days must be one of the CloudWatch Logs values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "lambda_vpc" {
  description = <<-EOT
    Run the four functions in a VPC, e.g. to reach a GitHub Enterprise Server on a private network; null (the default) keeps them on Lambda's own network, with internet access and no ENIs. subnet_ids: 1 to 16 private subnets (a function in a VPC never gets a public IP, so public subnets give it no internet). security_group_ids: 0 to 5 groups; empty (the default) creates one in network's VPC (<prefix>-lambda, egress TCP 443 only, no ingress), in which case the subnets must be in that VPC.
    The functions then need HTTPS to the GitHub API (github_app.api_url), SQS, SSM, DynamoDB and EC2 (Lambda itself writes their logs and polls their queues; SQS and SSM call KMS): through a NAT gateway, or VPC endpoints (interface endpoints sqs, ssm and ec2 with private DNS; a gateway or interface endpoint for dynamodb) whose security groups admit the functions' group on 443. The README's "Functions in a VPC" lists which function calls what.
  EOT
  type = object({
    subnet_ids         = list(string)
    security_group_ids = optional(list(string), [])
  })
  default = null

  validation {
    condition     = var.lambda_vpc == null || try(length(var.lambda_vpc.subnet_ids) >= 1 && length(var.lambda_vpc.subnet_ids) <= 16 && length(distinct(var.lambda_vpc.subnet_ids)) == length(var.lambda_vpc.subnet_ids) && alltrue([for s in var.lambda_vpc.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))]), false)
    error_message = "lambda_vpc.subnet_ids must hold 1 to 16 distinct subnet IDs (subnet- followed by 8 or 17 hex digits)."
  }

  validation {
    condition     = var.lambda_vpc == null || try(length(var.lambda_vpc.security_group_ids) <= 5 && alltrue([for g in var.lambda_vpc.security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", g))]), false)
    error_message = "lambda_vpc.security_group_ids must hold at most 5 security group IDs (sg- followed by 8 or 17 hex digits); leave it empty for a group that allows egress on 443 only."
  }
}

variable "iam" {
  description = "Every IAM role skiff creates (the four functions' roles, each pool's runner role, the VPC flow logs role): permissions_boundary_arn (ARN of a managed policy set as each role's permissions boundary, e.g. arn:aws:iam::123456789012:policy/ci-boundary, as service control policies often require; default null, none) and path (the roles' IAM path: \"/\" (the default) or /<segments>/, at most 512 characters; the path is part of each role's ARN)."
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
  description = "Tags for every resource skiff creates, also stamped on runner instances and volumes. Keys must not start with skiff: (skiff sets those itself)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.tags) : !startswith(k, "skiff:")])
    error_message = "tags must not use the skiff: key prefix, which skiff sets on what it launches."
  }
}
