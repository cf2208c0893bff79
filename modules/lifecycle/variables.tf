variable "prefix" {
  description = "The skiff deployment's prefix (^[a-z][a-z0-9-]{0,19}$): SKIFF_PREFIX (runner names are <prefix>-<instance-id>) and the first part of the metrics' service name, <prefix>-lifecycle."
  type        = string
  nullable    = false
}

variable "name" {
  description = "Name of the Lambda function and its IAM role, and the first part of the EventBridge rule names (<name>-spot-interruption, <name>-state-change): 1 to 46 characters of letters, digits, hyphens, underscores, e.g. \"ci-lifecycle\"."
  type        = string
  nullable    = false
}

variable "function" {
  description = "The lifecycle Lambda: zip_path (the `make build` output, dist/lambdas/lifecycle.zip), runtime (nodejs22.x or a later nodejs<N>.x), architecture (arm64 or x86_64), memory_size in MB (128 to 10240), timeout in seconds (1 to 900; give the lifecycle queue module this value as consumer_timeout_seconds), reserved_concurrency (null for none, or 1 to 1000)."
  type = object({
    zip_path             = string
    runtime              = optional(string, "nodejs22.x")
    architecture         = optional(string, "arm64")
    memory_size          = optional(number, 256)
    timeout              = optional(number, 30)
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
  description = "The pools as one JSON list, in routing order, exactly as modules/runners builds it for every function (SKIFF_POOLS; the shape lambdas/src/shared/pools.ts parsePools reads, e.g. test/fixtures/pools.json)."
  type        = string
  nullable    = false
}

variable "lifecycle_queue_arn" {
  description = "ARN of the lifecycle queue (the queue module's queue_arn): the function consumes it, and the EventBridge rules deliver EC2 events to it. Give that queue module this module's eventbridge_rule_arns."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$", var.lifecycle_queue_arn))
    error_message = "lifecycle_queue_arn must be an SQS queue ARN (arn:<partition>:sqs:<region>:<account>:<name>)."
  }
}

variable "lifecycle_dlq_arn" {
  description = "ARN of the lifecycle queue's dead-letter queue (the queue module's dlq_arn): the EventBridge targets' dead-letter queue, where an event goes when EventBridge cannot deliver it to the lifecycle queue (a policy or KMS key that refuses it, a deleted queue). Give that queue module this module's eventbridge_rule_arns: its DLQ's policy then admits the rules too."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$", var.lifecycle_dlq_arn))
    error_message = "lifecycle_dlq_arn must be an SQS queue ARN (arn:<partition>:sqs:<region>:<account>:<name>)."
  }
}

variable "fargate" {
  description = "The Fargate pools' ECS cluster, when there are Fargate pools: cluster_arn (the fargate-cluster module's cluster_arn). A third EventBridge rule then sends the ECS Task State Change events of tasks skiff started in it (startedBy skiff/<prefix>/..., desiredStatus STOPPED) to the lifecycle queue. Null (default): no Fargate pools, no rule."
  type = object({
    cluster_arn = string
  })
  default = null

  validation {
    condition     = var.fargate == null || can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9_-]{1,255}$", var.fargate.cluster_arn))
    error_message = "fargate.cluster_arn must be an ECS cluster ARN (arn:<partition>:ecs:<region>:<account>:cluster/<name>)."
  }
}

variable "jobs_queue" {
  description = "The jobs queue and its dead-letter queue (the queue module's queue_url, queue_arn, dlq_url, dlq_arn): jobs whose runner went down before taking them are sent back to the queue, and to the DLQ after max_requeues."
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
  description = "KMS key that encrypts the queues, if they use one (the queue module's kms_key_arn). The function may then kms:GenerateDataKey and kms:Decrypt with it through SQS only. EventBridge needs the key policy's permission too (see README)."
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
  description = "The GitHub App (re-runs spot-interrupted jobs): id (numeric App ID), key_parameter (name of the SSM SecureString holding its PEM private key), key_kms_key_arn (customer managed key of that parameter, if any; null for aws/ssm), api_url (https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise Server)."
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

variable "event_source" {
  description = "The SQS event source mapping on the lifecycle queue: batch_size (1 to 10 messages per invocation), maximum_batching_window_in_seconds (0 to 300; 0 invokes as soon as a message arrives), maximum_concurrency (2 to 1000 concurrent invocations)."
  type = object({
    batch_size                         = optional(number, 10)
    maximum_batching_window_in_seconds = optional(number, 0)
    maximum_concurrency                = optional(number, 5)
  })
  default  = {}
  nullable = false
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
