variable "prefix" {
  description = "The skiff deployment's prefix (^[a-z][a-z0-9-]{0,19}$): SKIFF_PREFIX, the skiff:prefix tag the function may terminate, the JIT path /<prefix>/jit/ it may delete, and the first part of the metrics' service name, <prefix>-scale-down."
  type        = string
  nullable    = false
}

variable "name" {
  description = "Name of the Lambda function and its IAM role, and the first part of the schedule rule's name (<name>-schedule): 1 to 55 characters of letters, digits, hyphens, underscores, e.g. \"ci-scale-down\"."
  type        = string
  nullable    = false
}

variable "function" {
  description = "The scale-down Lambda: zip_path (the `make build` output, dist/lambdas/scale-down.zip), runtime (nodejs22.x or a later nodejs<N>.x), architecture (arm64 or x86_64), memory_size in MB (128 to 10240), timeout in seconds (1 to 900; one reconcile cycle), reserved_concurrency (null, the default, for none; or 1 to 1000). One reconcile at a time does not need it: the function holds a lock item in the state table. A reservation of 1 also drops a tick that finds a cycle still running, but it takes from the account's unreserved concurrency, which must stay at least 10: on an account with the default quota of 10, any reservation fails the apply."
  type = object({
    zip_path             = string
    runtime              = optional(string, "nodejs22.x")
    architecture         = optional(string, "arm64")
    memory_size          = optional(number, 512)
    timeout              = optional(number, 120)
    reserved_concurrency = optional(number)
  })
  nullable = false
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
}

variable "pools_json" {
  description = "The pools as one JSON list, in routing order, exactly as modules/runners builds it for every function (SKIFF_POOLS; the shape lambdas/src/shared/pools.ts parsePools reads, e.g. test/fixtures/pools.json). The reconcile reads each pool's bootTimeoutSeconds and maxLifetimeSeconds; the role may list, describe and stop the tasks of each Fargate pool's cluster (an ARN)."
  type        = string
  nullable    = false
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

variable "vpc" {
  description = "Run the function in a VPC, or null (the default): subnet_ids and security_group_ids (modules/function's vpc input)."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null
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
  description = "Tags for every resource the module creates."
  type        = map(string)
  default     = {}
  nullable    = false
}
