variable "name" {
  description = "Name of the Lambda function, its IAM role and the HTTP API (1 to 64 characters: letters, digits, hyphens, underscores), e.g. \"ci-webhook\"."
  type        = string
  nullable    = false
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
    condition     = var.function.timeout >= 1 && var.function.timeout <= 29 && floor(var.function.timeout) == var.function.timeout
    error_message = "function.timeout must be a whole number of seconds from 1 to 29 (API Gateway's integration limit is 30 s)."
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
}

variable "pools_json" {
  description = "The pools as one JSON list, in routing order (ties between equally specific pools go to the first), exactly as modules/runners builds it for every function (SKIFF_POOLS, e.g. test/fixtures/pools.json). The webhook reads each pool's name, labels and architecture and ignores the other keys."
  type        = string
  nullable    = false
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
}

variable "webhook_secret_parameters" {
  description = "Names of the SSM SecureString parameters that hold the GitHub App's webhook secret: the current secret first, then old ones while a rotation is under way (1 to 10 names, in the same account and region as the queues)."
  type        = list(string)
  nullable    = false
}

variable "secret_kms_key_arn" {
  description = "Customer managed KMS key of the webhook secret parameters, if they use one. The function may then kms:Decrypt with it through SSM only. Null for the AWS managed aws/ssm key, which needs no IAM grant."
  type        = string
  default     = null
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
}

variable "allowed_repositories" {
  description = "Repositories (\"owner/name\") whose jobs are accepted; others get 403. Empty: any repository."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "api" {
  description = "The HTTP API's $default stage: throttling_burst_limit (requests, 1 to 5000; default 1000) and throttling_rate_limit (requests per second, 1 to 10000; default 200) for POST /webhook, sized for a large matrix (up to 256 jobs, each sending queued, in_progress and completed within seconds); access_logging writes one JSON line per request to /aws/apigateway/<name> (retention and KMS key from logging)."
  type = object({
    throttling_burst_limit = optional(number, 1000)
    throttling_rate_limit  = optional(number, 200)
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
