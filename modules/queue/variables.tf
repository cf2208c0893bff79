variable "name" {
  description = "Name of the queue. The dead-letter queue is named \"<name>-dlq\". 1 to 76 characters: letters, digits, hyphens and underscores."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,76}$", var.name))
    error_message = "name must be 1 to 76 characters of letters, digits, hyphens and underscores (\"-dlq\" is appended for the dead-letter queue, and SQS allows 80)."
  }
}

variable "consumer_timeout_seconds" {
  description = "Timeout in seconds (1 to 900) of the Lambda function that consumes this queue. The visibility timeout is six times this value, as AWS recommends for SQS event source mappings."
  type        = number
  nullable    = false

  validation {
    condition     = var.consumer_timeout_seconds >= 1 && var.consumer_timeout_seconds <= 900 && floor(var.consumer_timeout_seconds) == var.consumer_timeout_seconds
    error_message = "consumer_timeout_seconds must be a whole number from 1 to 900 (the Lambda maximum)."
  }
}

variable "max_receive_count" {
  description = "How many times a message is received before SQS moves it to the dead-letter queue (1 to 1000)."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number from 1 to 1000."
  }
}

variable "message_retention_seconds" {
  description = "How long the queue keeps a message, in seconds (60 to 1209600, i.e. 1 minute to 14 days)."
  type        = number
  default     = 345600
  nullable    = false

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600 && floor(var.message_retention_seconds) == var.message_retention_seconds
    error_message = "message_retention_seconds must be a whole number from 60 to 1209600 (14 days)."
  }
}

variable "dlq_message_retention_seconds" {
  description = "How long the dead-letter queue keeps a message, in seconds (60 to 1209600). Must be longer than message_retention_seconds: a standard queue keeps a message's original enqueue time when it moves to the DLQ."
  type        = number
  default     = 1209600
  nullable    = false

  validation {
    condition     = var.dlq_message_retention_seconds >= 60 && var.dlq_message_retention_seconds <= 1209600 && floor(var.dlq_message_retention_seconds) == var.dlq_message_retention_seconds
    error_message = "dlq_message_retention_seconds must be a whole number from 60 to 1209600 (14 days)."
  }
}

variable "kms_key_arn" {
  description = "ARN of a customer managed KMS key for server-side encryption of both queues. Null (the default) uses SQS-managed encryption (SSE-SQS)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

variable "kms_data_key_reuse_period_seconds" {
  description = "With kms_key_arn: how long SQS reuses a data key before calling KMS again, in seconds (60 to 86400). Longer means fewer KMS calls."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.kms_data_key_reuse_period_seconds >= 60 && var.kms_data_key_reuse_period_seconds <= 86400
    error_message = "kms_data_key_reuse_period_seconds must be from 60 to 86400."
  }
}

variable "eventbridge_rule_arns" {
  description = "ARNs of EventBridge rules allowed to send to the queue and, as their targets' dead-letter queue, to the DLQ (sqs:SendMessage for events.amazonaws.com, limited by aws:SourceArn). Empty: no EventBridge access."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.eventbridge_rule_arns : can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:rule/.+$", arn))])
    error_message = "eventbridge_rule_arns must hold EventBridge rule ARNs (arn:<partition>:events:<region>:<account>:rule/<name>)."
  }
}

variable "tags" {
  description = "Tags for both queues."
  type        = map(string)
  default     = {}
  nullable    = false
}
