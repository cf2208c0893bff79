variable "name" {
  description = "Name of the Lambda function, its IAM role and inline policy, and its log group /aws/lambda/<name> (1 to 64 characters: letters, digits, hyphens, underscores), e.g. \"ci-scale-up\"."
  type        = string
  nullable    = false
}

variable "description" {
  description = "The function's description, as the Lambda console shows it (at most 256 characters)."
  type        = string
  default     = ""
  nullable    = false
}

variable "service_name" {
  description = "Powertools service name (POWERTOOLS_SERVICE_NAME, the `service` dimension of the function's metrics). Null: name."
  type        = string
  default     = null
}

variable "function" {
  description = "The Lambda: zip_path (the `make build` output, dist/lambdas/<function>.zip), runtime (nodejs22.x or a later nodejs<N>.x), architecture (arm64 or x86_64), memory_size in MB (128 to 10240), timeout in seconds (1 to 900), reserved_concurrency (null for none, or 1 to 1000)."
  type = object({
    zip_path             = string
    runtime              = optional(string, "nodejs22.x")
    architecture         = optional(string, "arm64")
    memory_size          = optional(number, 256)
    timeout              = optional(number, 30)
    reserved_concurrency = optional(number)
  })
  nullable = false

  validation {
    condition     = var.function.memory_size >= 128 && var.function.memory_size <= 10240 && floor(var.function.memory_size) == var.function.memory_size
    error_message = "function.memory_size must be a whole number of MB from 128 to 10240."
  }

  validation {
    condition     = var.function.timeout >= 1 && var.function.timeout <= 900 && floor(var.function.timeout) == var.function.timeout
    error_message = "function.timeout must be a whole number of seconds from 1 to 900 (the Lambda maximum)."
  }

  validation {
    condition     = var.function.reserved_concurrency == null || try(var.function.reserved_concurrency >= 1 && var.function.reserved_concurrency <= 1000 && floor(var.function.reserved_concurrency) == var.function.reserved_concurrency, false)
    error_message = "function.reserved_concurrency must be null (no reservation) or a whole number from 1 to 1000."
  }
}

variable "logging" {
  description = "Logs and metrics: level (Powertools log level: TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL or SILENT), retention_in_days (a CloudWatch Logs retention value; 0 keeps logs forever), kms_key_arn (encrypts the log group; its key policy must allow CloudWatch Logs), metrics_namespace (CloudWatch namespace of the function's EMF metrics). modules/runners validates the first three."
  type = object({
    level             = optional(string, "INFO")
    retention_in_days = optional(number, 30)
    kms_key_arn       = optional(string)
    metrics_namespace = optional(string, "skiff")
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^[A-Za-z0-9._/#:-]{1,255}$", var.logging.metrics_namespace))
    error_message = "logging.metrics_namespace must be 1 to 255 characters of letters, digits and . _ / # : -"
  }
}

variable "environment" {
  description = "The function's own configuration (SKIFF_* variables), added to the POWERTOOLS_* variables this module sets from service_name and logging. Never secrets: they stay in SSM."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "policy_json" {
  description = "The function's own IAM statements, as an aws_iam_policy_document's json, one statement per purpose with a sid. They follow the base statement (WriteOwnLogs) in the role's inline policy; reusing a base sid is an error."
  type        = string
  nullable    = false
}

variable "event_source" {
  description = "The SQS queue that feeds the function, or null for none: queue_arn, batch_size (1 to 10 messages per invocation), maximum_batching_window_in_seconds (0 to 300; 0 invokes as soon as a message arrives), maximum_concurrency (2 to 1000 concurrent invocations). The mapping always reports batch item failures."
  type = object({
    queue_arn                          = string
    batch_size                         = optional(number, 10)
    maximum_batching_window_in_seconds = optional(number, 0)
    maximum_concurrency                = optional(number, 10)
  })
  default = null

  validation {
    condition     = var.event_source == null || try(var.event_source.batch_size >= 1 && var.event_source.batch_size <= 10 && floor(var.event_source.batch_size) == var.event_source.batch_size, false)
    error_message = "event_source.batch_size must be a whole number from 1 to 10."
  }

  validation {
    condition     = var.event_source == null || try(var.event_source.maximum_batching_window_in_seconds >= 0 && var.event_source.maximum_batching_window_in_seconds <= 300 && floor(var.event_source.maximum_batching_window_in_seconds) == var.event_source.maximum_batching_window_in_seconds, false)
    error_message = "event_source.maximum_batching_window_in_seconds must be a whole number from 0 to 300."
  }

  validation {
    condition     = var.event_source == null || try(var.event_source.maximum_concurrency >= 2 && var.event_source.maximum_concurrency <= 1000 && floor(var.event_source.maximum_concurrency) == var.event_source.maximum_concurrency, false)
    error_message = "event_source.maximum_concurrency must be a whole number from 2 to 1000 (the SQS event source minimum is 2)."
  }
}

variable "vpc" {
  description = "Run the function in a VPC, or null (the default) for Lambda's own network: subnet_ids (1 to 16 subnets; the function reaches AWS APIs and GitHub through their NAT or VPC endpoints) and security_group_ids (1 to 5). The role then gets the ENI permissions of AWSLambdaVPCAccessExecutionRole, scoped to those subnets and groups where EC2 allows it. modules/runners validates both."
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
