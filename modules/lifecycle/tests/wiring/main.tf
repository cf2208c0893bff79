# How modules/runners wires the lifecycle queue and this module: each takes an output of
# the other. Planned by tests/wiring.tftest.hcl to show the graph has no cycle: the rule
# ARNs come from names, the queue's policy (not the queue) depends on them.

variable "zip_path" {
  type = string
}

module "lifecycle_queue" {
  source                   = "../../../queue"
  name                     = "ci-lifecycle"
  consumer_timeout_seconds = module.lifecycle.timeout_seconds
  eventbridge_rule_arns    = module.lifecycle.eventbridge_rule_arns
}

module "lifecycle" {
  source              = "../.."
  prefix              = "ci"
  name                = "ci-lifecycle"
  function            = { zip_path = var.zip_path }
  lifecycle_queue_arn = module.lifecycle_queue.queue_arn
  lifecycle_dlq_arn   = module.lifecycle_queue.dlq_arn
  pools_json          = file("${path.module}/../../../../test/fixtures/pools.json")
  jobs_queue = {
    url     = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
    arn     = "arn:aws:sqs:us-east-1:123456789012:ci-jobs"
    dlq_url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs-dlq"
    dlq_arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs-dlq"
  }
  state_table = { name = "ci-state", arn = "arn:aws:dynamodb:us-east-1:123456789012:table/ci-state" }
  github_app  = { id = "123456", key_parameter = "/ci/github-app/key" }
}

output "queue_policy" {
  value = module.lifecycle_queue.queue_arn
}

output "rule_arns" {
  value = module.lifecycle.eventbridge_rule_arns
}
