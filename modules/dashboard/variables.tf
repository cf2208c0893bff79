variable "prefix" {
  description = "The deployment's prefix (1 to 32 characters: letters, digits, hyphens, underscores). Names the dashboard and alarms, and is the first part of the Lambdas' metric `service` dimension (\"<prefix>-webhook\", \"<prefix>-scale-up\", \"<prefix>-scale-down\", \"<prefix>-lifecycle\")."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,32}$", var.prefix))
    error_message = "prefix must be 1 to 32 characters of letters, digits, hyphens and underscores."
  }
}

variable "region" {
  description = "AWS region of the functions and queues (e.g. \"eu-west-1\"). Dashboard widgets must name their region, and the dashboard URL output points at this region's console."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as \"eu-west-1\"."
  }
}

variable "function_names" {
  description = "Names of the four Lambda functions (the AWS/Lambda FunctionName dimension): webhook, scale_up, scale_down, lifecycle."
  type = object({
    webhook    = string
    scale_up   = string
    scale_down = string
    lifecycle  = string
  })
  nullable = false

  validation {
    condition     = alltrue([for n in values(var.function_names) : can(regex("^[A-Za-z0-9_-]{1,64}$", n))])
    error_message = "function_names values must be Lambda function names: 1 to 64 letters, digits, hyphens and underscores (names, not ARNs)."
  }
}

variable "queues" {
  description = "Names of the SQS queues (the AWS/SQS QueueName dimension): jobs_queue_name, jobs_dlq_name, lifecycle_queue_name, lifecycle_dlq_name."
  type = object({
    jobs_queue_name      = string
    jobs_dlq_name        = string
    lifecycle_queue_name = string
    lifecycle_dlq_name   = string
  })
  nullable = false

  validation {
    condition     = alltrue([for n in values(var.queues) : can(regex("^[A-Za-z0-9_-]{1,80}$", n))])
    error_message = "queues values must be SQS queue names: 1 to 80 letters, digits, hyphens and underscores (names, not URLs or ARNs)."
  }
}

variable "api_id" {
  description = "ID of the webhook's API Gateway HTTP API (e.g. \"a1b2c3d4e5\"). Adds request count, 4xx/5xx and latency widgets. Null (default): no API widgets."
  type        = string
  default     = null

  validation {
    condition     = var.api_id == null || can(regex("^[a-z0-9]{1,32}$", var.api_id))
    error_message = "api_id must be null or an API Gateway API ID (lower-case letters and digits)."
  }
}

variable "pool_names" {
  description = "Names of the runner pools. Each gets a dashboard row of its own (jobs routed, cap reached, spot fallbacks, requeued, failed); pool-level alarms aggregate across every pool and need no list. Up to 20."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.pool_names) <= 20 && length(distinct(var.pool_names)) == length(var.pool_names)
    error_message = "pool_names must hold at most 20 distinct pool names."
  }

  validation {
    condition     = alltrue([for p in var.pool_names : can(regex("^[A-Za-z0-9_-]{1,64}$", p))])
    error_message = "pool_names must be 1 to 64 letters, digits, hyphens and underscores each."
  }
}

variable "reconcile_period_minutes" {
  description = "Minutes between reconcile cycles. The reconcile counts waiting warm runners once a cycle; the dashboard turns those counts into idle runner-hours with it."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.reconcile_period_minutes >= 1 && var.reconcile_period_minutes <= 60 && floor(var.reconcile_period_minutes) == var.reconcile_period_minutes
    error_message = "reconcile_period_minutes must be a whole number of minutes from 1 to 60."
  }
}

variable "eventbridge_rules" {
  description = "EventBridge rules whose FailedInvocations are alarmed, by key (e.g. { spot_interruption = \"ci-lifecycle-spot-interruption\" }): a failed invocation is an event the rule matched but could not deliver to its target. Keys: 1 to 40 lower-case letters, digits and underscores. Default: none."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k, v in var.eventbridge_rules : can(regex("^[a-z0-9_]{1,40}$", k)) && can(regex("^[A-Za-z0-9._-]{1,64}$", v))])
    error_message = "eventbridge_rules must map keys of 1 to 40 lower-case letters, digits and underscores to EventBridge rule names (1 to 64 letters, digits, . _ -)."
  }
}

variable "alarm_actions" {
  description = "ARNs of SNS topics notified when an alarm fires and again when it recovers (alarm and OK actions). Empty (default): alarms change state on the dashboard only."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.alarm_actions) <= 5 && alltrue([for a in var.alarm_actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$", a))])
    error_message = "alarm_actions must hold at most 5 SNS topic ARNs (arn:<partition>:sns:<region>:<account>:<topic>); CloudWatch allows 5 actions per state."
  }
}

variable "thresholds" {
  description = <<-EOT
    Alarm thresholds. period_seconds: evaluation period, 60 to 3600 in whole minutes (default 300);
    evaluation_periods: consecutive breaching periods before an alarm fires (1 to 10, default 1);
    capacity_launch_errors: spot/on-demand capacity errors per period (default 10);
    spot_fallbacks: launches that fell back from spot to on-demand per period (default 10);
    webhook_rejections: rejected webhook deliveries (bad signature, malformed, oversize) per period (default 5);
    queued_to_running_p90_ms: p90 milliseconds from a job being queued to it running (default 120000, two minutes);
    self_update_percent: alarm when more than this percentage of runner boots in an hour updated the runner at boot (0 to 100, default 5);
    self_update_min_boots: ... but only in hours with at least this many boots, so that one boot of a quiet pool is not "100 %" (default 10);
    runner_release_age_days: alarm when a booted image's runner release is older than this many days (1 to 30, default 25: GitHub's window is 30 days from the next release).
  EOT
  type = object({
    period_seconds           = optional(number, 300)
    evaluation_periods       = optional(number, 1)
    capacity_launch_errors   = optional(number, 10)
    spot_fallbacks           = optional(number, 10)
    webhook_rejections       = optional(number, 5)
    queued_to_running_p90_ms = optional(number, 120000)
    self_update_percent      = optional(number, 5)
    self_update_min_boots    = optional(number, 10)
    runner_release_age_days  = optional(number, 25)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.thresholds.period_seconds >= 60 && var.thresholds.period_seconds <= 3600 && var.thresholds.period_seconds % 60 == 0
    error_message = "thresholds.period_seconds must be a whole number of minutes from 60 to 3600."
  }

  validation {
    condition     = var.thresholds.evaluation_periods >= 1 && var.thresholds.evaluation_periods <= 10 && floor(var.thresholds.evaluation_periods) == var.thresholds.evaluation_periods
    error_message = "thresholds.evaluation_periods must be a whole number from 1 to 10."
  }

  validation {
    condition     = alltrue([for v in [var.thresholds.capacity_launch_errors, var.thresholds.spot_fallbacks, var.thresholds.webhook_rejections] : v >= 0])
    error_message = "thresholds.capacity_launch_errors, spot_fallbacks and webhook_rejections must be 0 or more."
  }

  validation {
    condition     = var.thresholds.self_update_percent >= 0 && var.thresholds.self_update_percent <= 100 && var.thresholds.self_update_min_boots >= 1 && floor(var.thresholds.self_update_min_boots) == var.thresholds.self_update_min_boots
    error_message = "thresholds.self_update_percent must be 0 to 100, and thresholds.self_update_min_boots a whole number of at least 1."
  }

  validation {
    condition     = var.thresholds.runner_release_age_days >= 1 && var.thresholds.runner_release_age_days <= 30
    error_message = "thresholds.runner_release_age_days must be 1 to 30 (GitHub stops sending jobs to runners 30 days behind)."
  }

  validation {
    condition     = var.thresholds.queued_to_running_p90_ms >= 1000
    error_message = "thresholds.queued_to_running_p90_ms must be at least 1000 (one second)."
  }
}

variable "tags" {
  description = "Tags for the alarms (CloudWatch dashboards take no tags)."
  type        = map(string)
  default     = {}
  nullable    = false
}
