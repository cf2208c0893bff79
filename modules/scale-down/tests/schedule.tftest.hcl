# The EventBridge schedule that runs the reconcile, and the permission that lets only it
# invoke the function, planned under a mocked AWS provider.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

override_resource {
  target          = module.function.aws_lambda_function.this
  override_during = plan
  values          = { arn = "arn:aws:lambda:us-east-1:123456789012:function:ci-scale-down" }
}

override_resource {
  target          = aws_cloudwatch_event_rule.schedule
  override_during = plan
  values          = { arn = "arn:aws:events:us-east-1:123456789012:rule/ci-scale-down-schedule" }
}

variables {
  prefix     = "ci"
  name       = "ci-scale-down"
  function   = { zip_path = "tests/fixtures/lambda.zip" }
  pools_json = file("../../test/fixtures/pools.json")
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

run "every_two_minutes_by_default" {
  command = plan

  assert {
    condition     = aws_cloudwatch_event_rule.schedule.schedule_expression == "rate(2 minutes)" && aws_cloudwatch_event_rule.schedule.event_pattern == null
    error_message = "The rule must be a schedule, rate(2 minutes) by default, with no event pattern."
  }

  assert {
    condition     = aws_cloudwatch_event_rule.schedule.name == "ci-scale-down-schedule" && aws_cloudwatch_event_rule.schedule.event_bus_name == "default"
    error_message = "The schedule rule must be <name>-schedule on the default bus (schedules run only there)."
  }
}

run "schedule_expression_is_configurable" {
  command = plan

  variables {
    schedule_expression = "rate(1 minute)"
  }

  assert {
    condition     = aws_cloudwatch_event_rule.schedule.schedule_expression == "rate(1 minute)"
    error_message = "schedule_expression must reach the rule."
  }
}

run "the_schedule_invokes_the_function_once_per_tick" {
  command = plan

  assert {
    condition     = aws_cloudwatch_event_target.schedule.arn == "arn:aws:lambda:us-east-1:123456789012:function:ci-scale-down" && aws_cloudwatch_event_target.schedule.rule == "ci-scale-down-schedule"
    error_message = "The rule's target must be the scale-down function."
  }

  assert {
    condition     = aws_cloudwatch_event_target.schedule.retry_policy[0].maximum_retry_attempts == 0 && aws_cloudwatch_event_target.schedule.retry_policy[0].maximum_event_age_in_seconds == 60
    error_message = "EventBridge must not retry a tick: the next one comes anyway."
  }
}

run "only_the_schedule_rule_may_invoke_the_function" {
  command = plan

  assert {
    condition = (
      aws_lambda_permission.schedule.action == "lambda:InvokeFunction"
      && aws_lambda_permission.schedule.principal == "events.amazonaws.com"
      && aws_lambda_permission.schedule.source_arn == "arn:aws:events:us-east-1:123456789012:rule/ci-scale-down-schedule"
      && aws_lambda_permission.schedule.function_name == "ci-scale-down"
    )
    error_message = "The function's resource policy must allow lambda:InvokeFunction to events.amazonaws.com only from the schedule rule's ARN."
  }
}
