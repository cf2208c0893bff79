# The HTTP API in front of the Lambda, planned under a mocked AWS provider.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

override_resource {
  target          = aws_apigatewayv2_api.this
  override_during = plan
  values = {
    id            = "abc123"
    api_endpoint  = "https://abc123.execute-api.us-east-1.amazonaws.com"
    execution_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123"
  }
}

variables {
  name       = "ci-webhook"
  function   = { zip_path = "tests/fixtures/lambda.zip" }
  pools_json = file("../../test/fixtures/pools.json")
  jobs_queue = {
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-jobs"
  }
  lifecycle_queue = {
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/ci-lifecycle"
    arn = "arn:aws:sqs:us-east-1:123456789012:ci-lifecycle"
  }
  webhook_secret_parameters = ["/ci/github-app/webhook-secret"]
}

run "post_webhook_route_with_payload_format_2" {
  command = plan

  assert {
    condition     = aws_apigatewayv2_api.this.protocol_type == "HTTP"
    error_message = "The endpoint must be an HTTP API."
  }

  assert {
    condition     = aws_apigatewayv2_route.this.route_key == "POST /webhook"
    error_message = "The only route must be POST /webhook."
  }

  assert {
    condition     = aws_apigatewayv2_integration.this.integration_type == "AWS_PROXY" && aws_apigatewayv2_integration.this.payload_format_version == "2.0"
    error_message = "The route must proxy to the Lambda with payload format 2.0."
  }

  assert {
    condition     = output.webhook_url == "https://abc123.execute-api.us-east-1.amazonaws.com/webhook"
    error_message = "webhook_url must be the API endpoint plus /webhook."
  }
}

run "default_stage_auto_deploys_with_throttling" {
  command = plan

  assert {
    condition     = aws_apigatewayv2_stage.this.name == "$default" && aws_apigatewayv2_stage.this.auto_deploy == true
    error_message = "The API must serve from an auto-deployed $default stage."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.default_route_settings[0].throttling_burst_limit == 1000 && aws_apigatewayv2_stage.this.default_route_settings[0].throttling_rate_limit == 200
    error_message = "The stage must throttle at a burst of 1000 and 200 requests/s by default: a 256-job matrix sends about 750 deliveries within seconds."
  }

  assert {
    condition     = length(aws_apigatewayv2_stage.this.access_log_settings) == 0 && length(aws_cloudwatch_log_group.access) == 0
    error_message = "Access logging must be off by default."
  }
}

run "throttling_and_access_logging_are_configurable" {
  command = plan

  variables {
    api = { throttling_burst_limit = 20, throttling_rate_limit = 5, access_logging = true }
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.default_route_settings[0].throttling_burst_limit == 20 && aws_apigatewayv2_stage.this.default_route_settings[0].throttling_rate_limit == 5
    error_message = "api.throttling_* must set the stage's throttling."
  }

  assert {
    condition     = aws_cloudwatch_log_group.access[0].name == "/aws/apigateway/ci-webhook" && aws_cloudwatch_log_group.access[0].retention_in_days == 30
    error_message = "Access logs must go to /aws/apigateway/<name> with the logging retention."
  }

  assert {
    condition     = length(aws_apigatewayv2_stage.this.access_log_settings) == 1
    error_message = "api.access_logging must turn the stage's access log on."
  }

  assert {
    condition     = !strcontains(aws_apigatewayv2_stage.this.access_log_settings[0].format, "header") && !strcontains(aws_apigatewayv2_stage.this.access_log_settings[0].format, "body")
    error_message = "The access log must not record headers or bodies (the signature and payload)."
  }
}

run "only_this_api_may_invoke_the_function" {
  command = plan

  assert {
    condition     = aws_lambda_permission.api.principal == "apigateway.amazonaws.com" && aws_lambda_permission.api.action == "lambda:InvokeFunction"
    error_message = "API Gateway must be the only principal granted lambda:InvokeFunction."
  }

  assert {
    condition     = aws_lambda_permission.api.source_arn == "arn:aws:execute-api:us-east-1:123456789012:abc123/*/POST/webhook"
    error_message = "The invoke permission must be scoped to this API's execution ARN and its POST /webhook route."
  }
}
