variable "prefix" {
  description = "The skiff deployment's prefix (^[a-z][a-z0-9-]{0,19}$): SKIFF_PREFIX, the skiff:prefix tag the function may terminate, the JIT path /<prefix>/jit/ it may delete, and the first part of the metrics' service name, <prefix>-scale-down."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.prefix))
    error_message = "prefix must match ^[a-z][a-z0-9-]{0,19}$ (lower case letter, then up to 19 lower case letters, digits or hyphens)."
  }
}

variable "name" {
  description = "Name of the Lambda function and its IAM role, and the first part of the schedule rule's name (<name>-schedule): 1 to 55 characters of letters, digits, hyphens, underscores, e.g. \"ci-scale-down\"."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,55}$", var.name))
    error_message = "name must be 1 to 55 characters of letters, digits, hyphens and underscores (the rule name adds \"-schedule\" and EventBridge allows 64)."
  }
}

variable "function" {
  description = "The scale-down Lambda: zip_path (the `make build` output, dist/lambdas/scale-down.zip), runtime (nodejs22.x or a later nodejs<N>.x), architecture (arm64 or x86_64), memory_size in MB (128 to 10240), timeout in seconds (1 to 900; one reconcile cycle), reserved_concurrency (1 to 1000; 1 by default: one reconcile at a time, and a tick that finds one still running is dropped)."
  type = object({
    zip_path             = string
    runtime              = optional(string, "nodejs22.x")
    architecture         = optional(string, "arm64")
    memory_size          = optional(number, 512)
    timeout              = optional(number, 120)
    reserved_concurrency = optional(number, 1)
  })
  nullable = false

  validation {
    condition     = can(regex("^nodejs(2[2-9]|[3-9][0-9])\\.x$", var.function.runtime))
    error_message = "function.runtime must be nodejs22.x or a later nodejs<N>.x runtime."
  }

  validation {
    condition     = contains(["arm64", "x86_64"], var.function.architecture)
    error_message = "function.architecture must be \"arm64\" or \"x86_64\"."
  }

  validation {
    condition     = var.function.memory_size >= 128 && var.function.memory_size <= 10240 && floor(var.function.memory_size) == var.function.memory_size
    error_message = "function.memory_size must be a whole number of MB from 128 to 10240."
  }

  validation {
    condition     = var.function.timeout >= 1 && var.function.timeout <= 900 && floor(var.function.timeout) == var.function.timeout
    error_message = "function.timeout must be a whole number of seconds from 1 to 900 (the Lambda maximum)."
  }

  validation {
    condition     = var.function.reserved_concurrency >= 1 && var.function.reserved_concurrency <= 1000 && floor(var.function.reserved_concurrency) == var.function.reserved_concurrency
    error_message = "function.reserved_concurrency must be a whole number from 1 to 1000 (1, the default, runs one reconcile at a time)."
  }
}

variable "logging" {
  description = "Logs and metrics: level (Powertools log level: TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL or SILENT), retention_in_days (a CloudWatch Logs retention value; 0 keeps logs forever), kms_key_arn (encrypts the log groups; its key policy must allow CloudWatch Logs), metrics_namespace (CloudWatch namespace of the Lambda's EMF metrics)."
  type = object({
    level             = optional(string, "INFO")
    retention_in_days = optional(number, 30)
    kms_key_arn       = optional(string)
    metrics_namespace = optional(string, "skiff")
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
    condition     = var.logging.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.logging.kms_key_arn))
    error_message = "logging.kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }

  validation {
    condition     = can(regex("^[A-Za-z0-9._/#:-]{1,255}$", var.logging.metrics_namespace))
    error_message = "logging.metrics_namespace must be 1 to 255 characters of letters, digits and . _ / # : -"
  }
}

variable "pools" {
  description = "The pools, as given to scale-up (extra attributes such as launch_template_arn are ignored): name, labels, architecture (x64|arm64), capacity_type (spot|on-demand), on_demand_fallback, instance_types (1 to 20), subnet_ids, launch_template_id, max_runners (1 to 10000), spot_allocation_strategy, runner_level (org|repo), runner_group_id, boot_timeout_seconds (30 to 3600), max_lifetime_seconds (300 to 604800), interrupted_retry_on_demand. The reconcile reads each pool's boot_timeout_seconds and max_lifetime_seconds."
  type = list(object({
    name                        = string
    labels                      = list(string)
    architecture                = optional(string, "x64")
    capacity_type               = optional(string, "spot")
    on_demand_fallback          = optional(bool, true)
    instance_types              = list(string)
    subnet_ids                  = list(string)
    launch_template_id          = string
    max_runners                 = number
    spot_allocation_strategy    = optional(string, "price-capacity-optimized")
    runner_level                = optional(string, "repo")
    runner_group_id             = optional(number, 1)
    boot_timeout_seconds        = optional(number, 300)
    max_lifetime_seconds        = optional(number, 21600)
    interrupted_retry_on_demand = optional(bool, true)
  }))
  nullable = false

  validation {
    condition     = length(var.pools) > 0 && length(distinct([for p in var.pools : p.name])) == length(var.pools)
    error_message = "pools must list at least one pool, each name once."
  }

  validation {
    condition     = alltrue([for p in var.pools : can(regex("^[a-z][a-z0-9-]{0,31}$", p.name))])
    error_message = "pools[*].name must match ^[a-z][a-z0-9-]{0,31}$."
  }

  validation {
    condition     = alltrue(flatten([for p in var.pools : [for l in p.labels : can(regex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$", l))]]))
    error_message = "pools[*].labels must be GitHub runner labels: ^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$."
  }

  validation {
    condition     = alltrue([for p in var.pools : contains(["x64", "arm64"], p.architecture) && contains(["spot", "on-demand"], p.capacity_type)])
    error_message = "pools[*].architecture must be \"x64\" or \"arm64\", and capacity_type \"spot\" or \"on-demand\"."
  }

  validation {
    condition = alltrue([for p in var.pools :
      length(p.instance_types) >= 1 && length(p.instance_types) <= 20 && alltrue([for t in p.instance_types : can(regex("^[a-z0-9-]+\\.[a-z0-9-]+$", t))])
      && length(p.subnet_ids) >= 1 && alltrue([for s in p.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
      && can(regex("^lt-[0-9a-f]{8,17}$", p.launch_template_id))
    ])
    error_message = "pools[*].instance_types must list 1 to 20 instance types such as m7i.large, subnet_ids at least one subnet- ID, and launch_template_id an lt- ID."
  }

  validation {
    condition     = alltrue([for p in var.pools : p.max_runners >= 1 && p.max_runners <= 10000 && floor(p.max_runners) == p.max_runners])
    error_message = "pools[*].max_runners must be a whole number from 1 to 10000."
  }

  validation {
    condition     = alltrue([for p in var.pools : contains(["price-capacity-optimized", "capacity-optimized", "lowest-price", "diversified"], p.spot_allocation_strategy)])
    error_message = "pools[*].spot_allocation_strategy must be one of price-capacity-optimized, capacity-optimized, lowest-price, diversified."
  }

  validation {
    condition     = alltrue([for p in var.pools : contains(["org", "repo"], p.runner_level) && p.runner_group_id >= 1 && floor(p.runner_group_id) == p.runner_group_id])
    error_message = "pools[*].runner_level must be \"org\" or \"repo\", and runner_group_id a whole number from 1."
  }

  validation {
    condition = alltrue([for p in var.pools :
      p.boot_timeout_seconds >= 30 && p.boot_timeout_seconds <= 3600 && floor(p.boot_timeout_seconds) == p.boot_timeout_seconds
      && p.max_lifetime_seconds >= 300 && p.max_lifetime_seconds <= 604800 && floor(p.max_lifetime_seconds) == p.max_lifetime_seconds
    ])
    error_message = "pools[*].boot_timeout_seconds must be 30 to 3600 and max_lifetime_seconds 300 to 604800 (whole seconds)."
  }
}

variable "jobs_queue" {
  description = "The jobs queue and its dead-letter queue (the queue module's queue_url, queue_arn, dlq_url, dlq_arn): jobs whose runner never took them are sent back to the queue, and to the DLQ after max_requeues."
  type = object({
    url     = string
    arn     = string
    dlq_url = string
    dlq_arn = string
  })
  nullable = false

  validation {
    condition     = alltrue([for arn in [var.jobs_queue.arn, var.jobs_queue.dlq_arn] : can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$", arn))]) && alltrue([for url in [var.jobs_queue.url, var.jobs_queue.dlq_url] : can(regex("^https://", url))])
    error_message = "jobs_queue must have SQS queue ARNs (arn:<partition>:sqs:<region>:<account>:<name>) in arn and dlq_arn, and https:// queue URLs in url and dlq_url."
  }
}

variable "queue_kms_key_arn" {
  description = "KMS key that encrypts the queues, if they use one (the queue module's kms_key_arn). The function may then kms:GenerateDataKey and kms:Decrypt with it through SQS only."
  type        = string
  default     = null

  validation {
    condition     = var.queue_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.queue_kms_key_arn))
    error_message = "queue_kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

variable "state_table" {
  description = "The state table (the state module's table_name and table_arn)."
  type = object({
    name = string
    arn  = string
  })
  nullable = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]{3,255}$", var.state_table.arn)) && endswith(var.state_table.arn, "/${var.state_table.name}")
    error_message = "state_table must have the table's name and its ARN (arn:<partition>:dynamodb:<region>:<account>:table/<name>)."
  }
}

variable "github_app" {
  description = "The GitHub App (lists and deletes runner registrations, checks jobs, redelivers failed webhooks): id (numeric App ID), key_parameter (name of the SSM SecureString holding its PEM private key), key_kms_key_arn (customer managed key of that parameter, if any; null for aws/ssm), api_url (https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise Server)."
  type = object({
    id              = string
    key_parameter   = string
    key_kms_key_arn = optional(string)
    api_url         = optional(string, "https://api.github.com")
  })
  nullable = false

  validation {
    condition     = can(regex("^[0-9]+$", var.github_app.id))
    error_message = "github_app.id must be the App's numeric ID."
  }

  validation {
    condition     = can(regex("^[A-Za-z0-9_./-]+$", var.github_app.key_parameter)) && length(var.github_app.key_parameter) <= 1011 && !can(regex("^/?(?i:aws|ssm)", var.github_app.key_parameter))
    error_message = "github_app.key_parameter must be an SSM parameter name (letters, digits, _ . - /), not an ARN."
  }

  validation {
    condition     = var.github_app.key_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", coalesce(var.github_app.key_kms_key_arn, "-")))
    error_message = "github_app.key_kms_key_arn must be null or a KMS key ARN."
  }

  validation {
    condition     = can(regex("^https://[^/\\s]+(/api/v3)?/?$", var.github_app.api_url))
    error_message = "github_app.api_url must be https://api.github.com or https://<host>/api/v3 (GitHub Enterprise Server)."
  }
}

variable "max_requeues" {
  description = "How many times a job whose runner never took it is sent back to the jobs queue before it goes to the DLQ (SKIFF_MAX_REQUEUES, 0 to 20)."
  type        = number
  default     = 3
  nullable    = false

  validation {
    condition     = var.max_requeues >= 0 && var.max_requeues <= 20 && floor(var.max_requeues) == var.max_requeues
    error_message = "max_requeues must be a whole number from 0 to 20."
  }
}

variable "schedule_expression" {
  description = "How often the reconcile runs: rate(1 minute) or rate(N minutes) with N from 2 to 60. Leaks are bounded by this interval plus the grace periods."
  type        = string
  default     = "rate(2 minutes)"
  nullable    = false

  validation {
    condition     = can(regex("^rate\\((1 minute|([2-9]|[1-5][0-9]|60) minutes)\\)$", var.schedule_expression))
    error_message = "schedule_expression must be \"rate(1 minute)\" or \"rate(N minutes)\" with N a whole number from 2 to 60."
  }
}

variable "reconcile" {
  description = "Reconcile settings (ranges as lambdas/src/scale-down/config.ts checks them): list_runners_every (list GitHub runner registrations every N cycles, 1 to 1000), redeliver_every (look for failed webhook deliveries every N cycles, 1 to 1000), redeliver_max (at most this many redeliveries per cycle, 0 to 100; 0 turns redelivery off), redeliver_window_seconds (how far back to look for failed deliveries, 60 to 259200), done_grace_seconds (a completed job's instance still running after this is terminated, 0 to 3600), orphan_grace_seconds (a tagged instance with no state item is terminated after this, 30 to 3600)."
  type = object({
    list_runners_every       = optional(number, 10)
    redeliver_every          = optional(number, 5)
    redeliver_max            = optional(number, 20)
    redeliver_window_seconds = optional(number, 21600)
    done_grace_seconds       = optional(number, 120)
    orphan_grace_seconds     = optional(number, 180)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.reconcile.list_runners_every >= 1 && var.reconcile.list_runners_every <= 1000 && floor(var.reconcile.list_runners_every) == var.reconcile.list_runners_every
    error_message = "reconcile.list_runners_every must be a whole number from 1 to 1000."
  }

  validation {
    condition     = var.reconcile.redeliver_every >= 1 && var.reconcile.redeliver_every <= 1000 && floor(var.reconcile.redeliver_every) == var.reconcile.redeliver_every
    error_message = "reconcile.redeliver_every must be a whole number from 1 to 1000."
  }

  validation {
    condition     = var.reconcile.redeliver_max >= 0 && var.reconcile.redeliver_max <= 100 && floor(var.reconcile.redeliver_max) == var.reconcile.redeliver_max
    error_message = "reconcile.redeliver_max must be a whole number from 0 to 100."
  }

  validation {
    condition     = var.reconcile.redeliver_window_seconds >= 60 && var.reconcile.redeliver_window_seconds <= 259200 && floor(var.reconcile.redeliver_window_seconds) == var.reconcile.redeliver_window_seconds
    error_message = "reconcile.redeliver_window_seconds must be a whole number from 60 to 259200 (3 days)."
  }

  validation {
    condition     = var.reconcile.done_grace_seconds >= 0 && var.reconcile.done_grace_seconds <= 3600 && floor(var.reconcile.done_grace_seconds) == var.reconcile.done_grace_seconds
    error_message = "reconcile.done_grace_seconds must be a whole number from 0 to 3600."
  }

  validation {
    condition     = var.reconcile.orphan_grace_seconds >= 30 && var.reconcile.orphan_grace_seconds <= 3600 && floor(var.reconcile.orphan_grace_seconds) == var.reconcile.orphan_grace_seconds
    error_message = "reconcile.orphan_grace_seconds must be a whole number from 30 to 3600."
  }
}

variable "tags" {
  description = "Tags for every resource the module creates."
  type        = map(string)
  default     = {}
  nullable    = false
}
