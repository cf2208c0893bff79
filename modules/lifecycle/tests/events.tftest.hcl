# The EventBridge rules that feed EC2 events to the lifecycle queue: patterns, targets and
# the rule ARNs the queue's policy admits, planned under a mocked AWS provider.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  prefix              = "ci"
  name                = "ci-lifecycle"
  function            = { zip_path = "tests/fixtures/lambda.zip" }
  pools_json          = file("../../test/fixtures/pools.json")
  lifecycle_queue_arn = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle"
  lifecycle_dlq_arn   = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle-dlq"
  jobs_queue = {
    url     = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
    arn     = "arn:aws:sqs:us-east-1:123456789012:ci-jobs"
    dlq_url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs-dlq"
    dlq_arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs-dlq"
  }
  state_table = {
    name = "ci-state"
    arn  = "arn:aws:dynamodb:us-east-1:123456789012:table/ci-state"
  }
  github_app = {
    id            = "123456"
    key_parameter = "/ci/github-app/key"
  }
}
run "spot_interruption_warnings_match_every_ec2_instance_of_the_region" {
  command = plan

  assert {
    condition     = aws_cloudwatch_event_rule.spot_interruption.name == "ci-lifecycle-spot-interruption" && aws_cloudwatch_event_rule.spot_interruption.event_bus_name == "default"
    error_message = "The spot rule must be <name>-spot-interruption on the default event bus, where EC2 sends its events."
  }

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.spot_interruption.event_pattern) == {
      source        = ["aws.ec2"]
      "detail-type" = ["EC2 Spot Instance Interruption Warning"]
    }
    error_message = "The spot rule must match exactly source aws.ec2 and detail-type \"EC2 Spot Instance Interruption Warning\" (EC2 events carry no tags to filter on)."
  }
}

run "state_changes_match_only_instances_going_down" {
  command = plan

  assert {
    condition     = aws_cloudwatch_event_rule.state_change.name == "ci-lifecycle-state-change" && aws_cloudwatch_event_rule.state_change.event_bus_name == "default"
    error_message = "The state-change rule must be <name>-state-change on the default event bus."
  }

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.state_change.event_pattern) == {
      source        = ["aws.ec2"]
      "detail-type" = ["EC2 Instance State-change Notification"]
      detail        = { state = ["stopping", "stopped", "shutting-down", "terminated"] }
    }
    error_message = "The state-change rule must match source aws.ec2, detail-type \"EC2 Instance State-change Notification\" and only the states the handler acts on: stopping, stopped, shutting-down, terminated (not pending or running)."
  }
}

run "both_rules_deliver_the_whole_event_to_the_lifecycle_queue" {
  command = plan

  assert {
    condition = alltrue([for t in [aws_cloudwatch_event_target.spot_interruption, aws_cloudwatch_event_target.state_change] :
      t.arn == "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle" && t.role_arn == null && t.input == null && t.input_path == null && length(t.input_transformer) == 0
    ])
    error_message = "Each rule must target the lifecycle queue with the event as it is (no input transformation) and no role: an SQS target is authorised by the queue's policy."
  }

  assert {
    condition     = aws_cloudwatch_event_target.spot_interruption.rule == "ci-lifecycle-spot-interruption" && aws_cloudwatch_event_target.state_change.rule == "ci-lifecycle-state-change"
    error_message = "Each target must belong to its rule."
  }

  assert {
    condition = alltrue([for t in [aws_cloudwatch_event_target.spot_interruption, aws_cloudwatch_event_target.state_change] :
      length(t.dead_letter_config) == 1 && t.dead_letter_config[0].arn == "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle-dlq"
    ])
    error_message = "Each target must have the lifecycle DLQ as its dead-letter queue: an event EventBridge cannot deliver must not be dropped."
  }
}

run "rule_arns_are_computed_from_names_for_the_queue_policy" {
  command = plan

  variables {
    lifecycle_queue_arn = "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:ci-lifecycle"
  }

  assert {
    condition = output.eventbridge_rule_arns == [
      "arn:aws-us-gov:events:us-gov-west-1:123456789012:rule/ci-lifecycle-spot-interruption",
      "arn:aws-us-gov:events:us-gov-west-1:123456789012:rule/ci-lifecycle-state-change",
    ]
    error_message = "eventbridge_rule_arns must be the default-bus rule ARNs in the lifecycle queue's partition, region and account, known without the rules."
  }
}

run "no_task_rule_without_fargate_pools" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_event_rule.task_state_change) == 0 && length(aws_cloudwatch_event_target.task_state_change) == 0 && length(output.eventbridge_rule_arns) == 2
    error_message = "Without fargate there must be no ECS rule, and the queue's policy must admit the two EC2 rules only."
  }
}

run "task_state_changes_match_only_skiffs_tasks_being_stopped" {
  command = plan

  variables {
    fargate = { cluster_arn = "arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners" }
  }

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.task_state_change[0].event_pattern) == {
      source        = ["aws.ecs"]
      "detail-type" = ["ECS Task State Change"]
      detail = {
        clusterArn    = ["arn:aws:ecs:us-east-1:123456789012:cluster/ci-runners"]
        desiredStatus = ["STOPPED"]
        startedBy     = [{ prefix = "skiff/ci/" }]
      }
    }
    error_message = "The ECS rule must match task state changes of skiff's cluster only, of tasks this deployment started (startedBy skiff/<prefix>/...), once they are to stop (a Fargate Spot notice or the end)."
  }

  assert {
    condition = (aws_cloudwatch_event_rule.task_state_change[0].name == "ci-lifecycle-task-state-change"
      && aws_cloudwatch_event_target.task_state_change[0].rule == "ci-lifecycle-task-state-change"
      && aws_cloudwatch_event_target.task_state_change[0].arn == "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle"
      && aws_cloudwatch_event_target.task_state_change[0].dead_letter_config[0].arn == "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle-dlq"
    && length(aws_cloudwatch_event_target.task_state_change[0].input_transformer) == 0)
    error_message = "The ECS rule must deliver the whole event to the lifecycle queue, with the lifecycle DLQ as its dead-letter queue."
  }

  assert {
    condition     = contains(output.eventbridge_rule_arns, "arn:aws:events:us-east-1:123456789012:rule/ci-lifecycle-task-state-change") && output.eventbridge_rule_names.task_state_change == "ci-lifecycle-task-state-change"
    error_message = "The lifecycle queue's policy must admit the ECS rule, and the dashboard must alarm on its failed deliveries."
  }
}

run "reject_fargate_cluster_that_is_not_an_arn" {
  command = plan

  variables {
    fargate = { cluster_arn = "ci-runners" }
  }

  expect_failures = [var.fargate]
}
