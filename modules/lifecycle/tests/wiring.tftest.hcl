# The lifecycle queue (modules/queue) and this module, wired to each other as
# modules/runners wires them: the queue's policy admits the rules' ARNs, the rules and the
# event source use the queue's ARN. Planning it proves the graph has no cycle.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

override_resource {
  target          = module.lifecycle_queue.aws_sqs_queue.this
  override_during = plan
  values = {
    arn = "arn:aws:sqs:eu-west-1:210987654321:ci-lifecycle"
    id  = "https://sqs.eu-west-1.amazonaws.com/210987654321/ci-lifecycle"
  }
}

variables {
  zip_path = "tests/fixtures/lambda.zip"
}

run "queue_and_rules_reference_each_other_without_a_cycle" {
  command = plan

  module {
    source = "./tests/wiring"
  }

  providers = {
    aws = aws
  }

  assert {
    condition = output.rule_arns == [
      "arn:aws:events:eu-west-1:210987654321:rule/ci-lifecycle-spot-interruption",
      "arn:aws:events:eu-west-1:210987654321:rule/ci-lifecycle-state-change",
    ]
    error_message = "The rule ARNs the queue policy admits must be the default-bus ARNs of the rules, in the queue's account and region."
  }
}
