variable "prefix" {
  description = "The skiff deployment's prefix (^[a-z][a-z0-9-]{0,19}$): SKIFF_PREFIX, the JIT path /<prefix>/jit/ and the skiff:prefix tag on everything launched."
  type        = string
  nullable    = false
}

variable "name" {
  description = "Name of the Lambda function and its IAM role (1 to 64 characters: letters, digits, hyphens, underscores), e.g. \"ci-scale-up\"."
  type        = string
  nullable    = false
}

variable "function" {
  description = "The scale-up Lambda: zip_path (the `make build` output, dist/lambdas/scale-up.zip), runtime (nodejs22.x or a later nodejs<N>.x), architecture (arm64 or x86_64), memory_size in MB (128 to 10240), timeout in seconds (1 to 900; the jobs queue's visibility timeout must be at least this), reserved_concurrency (null for none, or 1 to 1000)."
  type = object({
    zip_path             = string
    runtime              = optional(string, "nodejs22.x")
    architecture         = optional(string, "arm64")
    memory_size          = optional(number, 512)
    timeout              = optional(number, 60)
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
  description = "The pools as one JSON list, in routing order, exactly as modules/runners builds it for every function (SKIFF_POOLS; the shape lambdas/src/shared/pools.ts parsePools reads, e.g. test/fixtures/pools.json). The role may launch from each EC2 pool's launchTemplateId into its subnetIds, and run each Fargate pool's taskDefinition (an ARN) in its cluster (an ARN)."
  type        = string
  nullable    = false
}

variable "runners" {
  description = "What the pools' runner-pool and fargate-pool modules created that the launch needs besides the pools JSON: role_arns (the instance roles scale-up may pass to EC2), security_group_ids (the groups it may launch instances into), fargate_role_arns (the Fargate pools' task and execution roles, which it may pass to ECS; default none)."
  type = object({
    role_arns          = list(string)
    security_group_ids = list(string)
    fargate_role_arns  = optional(list(string), [])
  })
  nullable = false
}

variable "jobs_queue" {
  description = "The jobs queue the function consumes (the queue module's queue_url and queue_arn). Its visibility timeout must be at least function.timeout; the queue module makes it 6x."
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

variable "queue_kms_key_arn" {
  description = "KMS key that encrypts the queues, if they use one (the queue module's kms_key_arn). The function may then kms:Decrypt with it through SQS only."
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
  description = "The GitHub App: id (numeric App ID), key_parameter (name of the SSM SecureString holding its PEM private key), key_kms_key_arn (customer managed key of that parameter, if any; null for aws/ssm), api_url (https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise Server)."
  type = object({
    id              = string
    key_parameter   = string
    key_kms_key_arn = optional(string)
    api_url         = optional(string, "https://api.github.com")
  })
  nullable = false
}

variable "jit_kms_key_arn" {
  description = "Customer managed KMS key to encrypt the JIT config SecureStrings with (SKIFF_JIT_KMS_KEY_ID). Null: the AWS managed aws/ssm key. Give the same key to the runner-pool modules."
  type        = string
  default     = null
}

variable "ebs_kms_key_arn" {
  description = "Customer managed KMS key of the runners' root volumes, if any (the runner-pool modules' root_volume.kms_key_arn). The role may then use it through EC2 only, as launching an encrypted volume needs: kms:DescribeKey, GenerateDataKeyWithoutPlaintext, Decrypt, ReEncryptFrom/To, and kms:CreateGrant for AWS resources."
  type        = string
  default     = null
}

variable "fresh_message_seconds" {
  description = "Messages younger than this (seconds, 0 to 86400) skip the \"is the job still queued?\" GitHub call."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.fresh_message_seconds >= 0 && var.fresh_message_seconds <= 86400 && floor(var.fresh_message_seconds) == var.fresh_message_seconds
    error_message = "fresh_message_seconds must be a whole number from 0 to 86400."
  }
}

variable "event_source" {
  description = "The SQS event source mapping: batch_size (1 to 10 jobs per invocation), maximum_batching_window_in_seconds (0 to 300; 0 invokes as soon as a message arrives), maximum_concurrency (2 to 1000 concurrent invocations)."
  type = object({
    batch_size                         = optional(number, 10)
    maximum_batching_window_in_seconds = optional(number, 0)
    maximum_concurrency                = optional(number, 10)
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
