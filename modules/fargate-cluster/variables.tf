variable "prefix" {
  description = "The skiff deployment's prefix (^[a-z][a-z0-9-]{0,19}$); the cluster is named <prefix>-runners."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.prefix))
    error_message = "prefix must match ^[a-z][a-z0-9-]{0,19}$ (lower case letter, then up to 19 lower case letters, digits or hyphens)."
  }
}

variable "container_insights" {
  description = "CloudWatch Container Insights for the cluster: \"disabled\" (default; it bills custom metrics per task), \"enabled\" or \"enhanced\"."
  type        = string
  default     = "disabled"
  nullable    = false

  validation {
    condition     = contains(["disabled", "enabled", "enhanced"], var.container_insights)
    error_message = "container_insights must be disabled, enabled or enhanced."
  }
}

variable "tags" {
  description = "Tags for the cluster."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.tags) : !startswith(k, "skiff:")])
    error_message = "tags must not use the skiff: prefix, which scale-up sets at launch."
  }
}
