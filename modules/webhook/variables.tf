variable "name" {
  description = "Name of the Lambda function, its IAM role and the HTTP API (1 to 64 characters: letters, digits, hyphens, underscores), e.g. \"ci-webhook\"."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1 to 64 characters of letters, digits, hyphens and underscores."
  }
}

variable "function" {
  description = "The webhook Lambda: zip_path (the `make build` output, dist/lambdas/webhook.zip), runtime (nodejs22.x or a later nodejs<N>.x), architecture (arm64 or x86_64), memory_size in MB (128 to 10240), timeout in seconds (1 to 29: API Gateway gives up at 30 s, GitHub at 10 s), reserved_concurrency (null for none, or 1 to 1000)."
  type = object({
    zip_path             = string
    runtime              = optional(string, "nodejs22.x")
    architecture         = optional(string, "arm64")
    memory_size          = optional(number, 256)
    timeout              = optional(number, 10)
    reserved_concurrency = optional(number)
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
    condition     = var.function.timeout >= 1 && var.function.timeout <= 29 && floor(var.function.timeout) == var.function.timeout
    error_message = "function.timeout must be a whole number of seconds from 1 to 29 (API Gateway's integration limit is 30 s)."
  }

  validation {
    condition     = var.function.reserved_concurrency == null || try(var.function.reserved_concurrency >= 1 && var.function.reserved_concurrency <= 1000 && floor(var.function.reserved_concurrency) == var.function.reserved_concurrency, false)
    error_message = "function.reserved_concurrency must be null (no reservation) or a whole number from 1 to 1000."
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
  description = "The routing table, in declaration order (ties between equally specific pools go to the first): each pool's name (^[a-z][a-z0-9-]{0,31}$), its labels (besides self-hosted, linux and the architecture) and architecture (x64 or arm64)."
  type = list(object({
    name         = string
    labels       = list(string)
    architecture = optional(string, "x64")
  }))
  nullable = false

  validation {
    condition     = length(var.pools) > 0
    error_message = "pools must list at least one pool."
  }

  validation {
    condition     = alltrue([for p in var.pools : can(regex("^[a-z][a-z0-9-]{0,31}$", p.name))])
    error_message = "pools[*].name must match ^[a-z][a-z0-9-]{0,31}$ (lower case letter, then up to 31 lower case letters, digits or hyphens)."
  }

  validation {
    condition     = length(distinct([for p in var.pools : p.name])) == length(var.pools)
    error_message = "pools must not name the same pool twice."
  }

  validation {
    condition     = alltrue(flatten([for p in var.pools : [for l in p.labels : can(regex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$", l))]]))
    error_message = "pools[*].labels must be GitHub runner labels: ^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$."
  }

  validation {
    condition     = alltrue([for p in var.pools : contains(["x64", "arm64"], p.architecture)])
    error_message = "pools[*].architecture must be \"x64\" or \"arm64\"."
  }
}

variable "jobs_queue" {
  description = "The jobs queue that routed workflow_job.queued events go to (the queue module's queue_url and queue_arn)."
  type = object({
    url = string
    arn = string
  })
  nullable = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$", var.jobs_queue.arn)) && can(regex("^https://", var.jobs_queue.url))
    error_message = "jobs_queue must have an SQS queue ARN (arn:<partition>:sqs:<region>:<account>:<name>) and an https:// queue URL."
  }
}

variable "lifecycle_queue" {
  description = "The lifecycle queue that workflow_job.in_progress and .completed events go to (the queue module's queue_url and queue_arn)."
  type = object({
    url = string
    arn = string
  })
  nullable = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$", var.lifecycle_queue.arn)) && can(regex("^https://", var.lifecycle_queue.url))
    error_message = "lifecycle_queue must have an SQS queue ARN (arn:<partition>:sqs:<region>:<account>:<name>) and an https:// queue URL."
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

variable "webhook_secret_parameters" {
  description = "Names of the SSM SecureString parameters that hold the GitHub App's webhook secret: the current secret first, then old ones while a rotation is under way (1 to 10 names, in the same account and region as the queues)."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.webhook_secret_parameters) >= 1 && length(var.webhook_secret_parameters) <= 10
    error_message = "webhook_secret_parameters must list 1 to 10 parameter names (GetParameters reads at most 10)."
  }

  validation {
    condition     = alltrue([for n in var.webhook_secret_parameters : can(regex("^[A-Za-z0-9_./-]+$", n)) && length(n) <= 1011 && !can(regex("^/?(?i:aws|ssm)", n))])
    error_message = "webhook_secret_parameters must be SSM parameter names (letters, digits, _ . - /), not ARNs, and not starting with aws or ssm."
  }
}

variable "secret_kms_key_arn" {
  description = "Customer managed KMS key of the webhook secret parameters, if they use one. The function may then kms:Decrypt with it through SSM only. Null for the AWS managed aws/ssm key, which needs no IAM grant."
  type        = string
  default     = null

  validation {
    condition     = var.secret_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.secret_kms_key_arn))
    error_message = "secret_kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

variable "secret_cache_seconds" {
  description = "How long a warm function reuses the secrets it read, in seconds (0 to 86400). After a rotation, old secrets stay accepted until this passes."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.secret_cache_seconds >= 0 && var.secret_cache_seconds <= 86400 && floor(var.secret_cache_seconds) == var.secret_cache_seconds
    error_message = "secret_cache_seconds must be a whole number from 0 to 86400."
  }
}

variable "allowed_owners" {
  description = "GitHub owners (organisations or users) whose jobs are accepted; others get 403. Empty: any owner the App is installed on."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for o in var.allowed_owners : can(regex("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$", o))])
    error_message = "allowed_owners must hold GitHub owner logins (letters, digits and hyphens, at most 39 characters)."
  }
}

variable "allowed_repositories" {
  description = "Repositories (\"owner/name\") whose jobs are accepted; others get 403. Empty: any repository."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for r in var.allowed_repositories : can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", r))])
    error_message = "allowed_repositories must hold \"owner/name\" entries."
  }
}

variable "api" {
  description = "The HTTP API's $default stage: throttling_burst_limit (requests, 1 to 5000) and throttling_rate_limit (requests per second, 1 to 10000) for POST /webhook; access_logging writes one JSON line per request to /aws/apigateway/<name> (retention and KMS key from logging)."
  type = object({
    throttling_burst_limit = optional(number, 100)
    throttling_rate_limit  = optional(number, 50)
    access_logging         = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.api.throttling_burst_limit >= 1 && var.api.throttling_burst_limit <= 5000 && floor(var.api.throttling_burst_limit) == var.api.throttling_burst_limit
    error_message = "api.throttling_burst_limit must be a whole number from 1 to 5000."
  }

  validation {
    condition     = var.api.throttling_rate_limit >= 1 && var.api.throttling_rate_limit <= 10000
    error_message = "api.throttling_rate_limit must be from 1 to 10000 requests per second."
  }
}

variable "tags" {
  description = "Tags for every resource the module creates."
  type        = map(string)
  default     = {}
  nullable    = false
}
