# What the webhook gives its function (modules/function): settings and the configuration
# contract (environment), planned under a mocked AWS provider. modules/function's tests
# show these reach the Lambda and its log group.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
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
  webhook_secret_parameters = ["/ci/github-app/webhook-secret", "/ci/github-app/webhook-secret-previous"]
}

run "function_defaults" {
  command = plan

  assert {
    condition     = var.function.runtime == "nodejs22.x" && var.function.architecture == "arm64"
    error_message = "The function must run nodejs22.x on arm64 by default."
  }

  assert {
    condition     = var.function.timeout == 10 && var.function.memory_size == 256
    error_message = "The function must default to a 10 s timeout (GitHub's limit) and 256 MB."
  }

  assert {
    condition     = var.function.reserved_concurrency == null
    error_message = "No concurrency is reserved by default."
  }

  assert {
    condition     = output.function_name == "ci-webhook" && output.log_group_name == "/aws/lambda/ci-webhook" && output.role_name == "ci-webhook"
    error_message = "The function, its role and its log group (/aws/lambda/<name>) must be named after name."
  }

  assert {
    condition     = output.service_name == "ci-webhook"
    error_message = "POWERTOOLS_SERVICE_NAME must be the function's name."
  }
}

run "environment_is_the_lambda_configuration_contract" {
  command = plan

  assert {
    condition     = local.environment.SKIFF_POOLS == file("../../test/fixtures/pools.json")
    error_message = "SKIFF_POOLS must be pools_json as given: the one JSON modules/runners builds for every function (the webhook routes by name, labels and architecture, in its order)."
  }

  assert {
    condition     = local.environment.SKIFF_JOBS_QUEUE_URL == "https://sqs.us-east-1.amazonaws.com/123456789012/ci-jobs"
    error_message = "SKIFF_JOBS_QUEUE_URL must be the jobs queue's URL."
  }

  assert {
    condition     = local.environment.SKIFF_LIFECYCLE_QUEUE_URL == "https://sqs.us-east-1.amazonaws.com/123456789012/ci-lifecycle"
    error_message = "SKIFF_LIFECYCLE_QUEUE_URL must be the lifecycle queue's URL."
  }

  assert {
    condition     = local.environment.SKIFF_WEBHOOK_SECRET_PARAMETERS == "/ci/github-app/webhook-secret,/ci/github-app/webhook-secret-previous"
    error_message = "SKIFF_WEBHOOK_SECRET_PARAMETERS must list the parameter names comma-separated, current first."
  }

  assert {
    condition     = local.environment.SKIFF_SECRET_CACHE_SECONDS == "300"
    error_message = "SKIFF_SECRET_CACHE_SECONDS must default to 300."
  }

  assert {
    condition     = !contains(keys(local.environment), "SKIFF_ALLOWED_OWNERS") && !contains(keys(local.environment), "SKIFF_ALLOWED_REPOSITORIES")
    error_message = "Without allow-lists the allow-list variables must be absent (every owner and repository accepted)."
  }
}

run "allow_lists_are_comma_separated" {
  command = plan

  variables {
    allowed_owners       = ["octo-org", "octocat"]
    allowed_repositories = ["octo-org/app", "octocat/hello-world"]
  }

  assert {
    condition     = local.environment.SKIFF_ALLOWED_OWNERS == "octo-org,octocat"
    error_message = "SKIFF_ALLOWED_OWNERS must be the owners, comma-separated."
  }

  assert {
    condition     = local.environment.SKIFF_ALLOWED_REPOSITORIES == "octo-org/app,octocat/hello-world"
    error_message = "SKIFF_ALLOWED_REPOSITORIES must be the owner/name entries, comma-separated."
  }
}
