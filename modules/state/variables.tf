variable "name" {
  description = "Name of the DynamoDB table (3 to 255 characters: letters, digits, underscore, hyphen, dot)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.name))
    error_message = "name must be 3 to 255 characters of letters, digits, underscores, hyphens and dots."
  }
}

variable "point_in_time_recovery" {
  description = "Enable point-in-time recovery (continuous backups for 35 days)."
  type        = bool
  default     = true
  nullable    = false
}

variable "deletion_protection" {
  description = "Refuse to delete the table (also through terraform destroy) until this is turned off. Off by default: the table holds runtime state that the reconcile rebuilds from EC2 and GitHub."
  type        = bool
  default     = false
  nullable    = false
}

variable "kms_key_arn" {
  description = "ARN of a customer managed KMS key for encryption at rest. Null (the default) uses the AWS owned key, at no charge."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

variable "tags" {
  description = "Tags for the table."
  type        = map(string)
  default     = {}
  nullable    = false
}
