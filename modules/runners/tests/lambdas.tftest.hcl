# Where the Lambda zips come from: lambdas.dir (a fetched release or any folder of the four
# zips), per-function zip_paths, or dist/lambdas of this checkout; and a plan that stops,
# naming the command to run, when they are missing. Planned under a mocked AWS provider.

mock_provider "aws" {
  override_during = plan

  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_ssm_parameter" {
    defaults = { insecure_value = "ami-0123456789abcdef0", value = "ami-0123456789abcdef0" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:us-east-1:123456789012:mock", id = "https://sqs.us-east-1.amazonaws.com/123456789012/mock" }
  }
  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/ci-state" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
  }
  mock_resource "aws_security_group" {
    defaults = { id = "sg-0123456789abcdef0", arn = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0" }
  }
  mock_resource "aws_launch_template" {
    defaults = { id = "lt-0123456789abcdef0", arn = "arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0123456789abcdef0" }
  }
  mock_resource "aws_apigatewayv2_api" {
    defaults = { id = "a1b2c3d4e5", api_endpoint = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", execution_arn = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5" }
  }
}

override_resource {
  target          = module.jobs_queue.aws_sqs_queue.this
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:123456789012:ci-jobs", id = "https://sqs.eu-west-1.amazonaws.com/123456789012/ci-jobs" }
}

override_resource {
  target          = module.lifecycle_queue.aws_sqs_queue.this
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:123456789012:ci-lifecycle", id = "https://sqs.eu-west-1.amazonaws.com/123456789012/ci-lifecycle" }
}

variables {
  prefix     = "ci"
  github_app = { id = "123456" }
  network = {
    vpc_id     = "vpc-0123456789abcdef0"
    subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"]
  }
  pools = {
    linux = { instance_types = ["m7i.large"], max_runners = 5 }
  }
}

run "dir_names_the_folder_that_holds_the_four_zips" {
  command = plan

  variables {
    lambdas = { dir = "tests/fixtures/lambdas/" }
  }

  assert {
    condition = local.zip_paths == {
      webhook    = "tests/fixtures/lambdas/webhook.zip"
      scale_up   = "tests/fixtures/lambdas/scale-up.zip"
      lifecycle  = "tests/fixtures/lambdas/lifecycle.zip"
      scale_down = "tests/fixtures/lambdas/scale-down.zip"
    }
    error_message = "lambdas.dir must hold <function>.zip for each function, as scripts/fetch-lambdas.sh writes them (a trailing slash is fine)."
  }

  assert {
    condition     = local.functions.webhook.zip_path == "tests/fixtures/lambdas/webhook.zip" && local.functions.scale_down.zip_path == "tests/fixtures/lambdas/scale-down.zip"
    error_message = "The function modules must be given the zips from lambdas.dir."
  }
}

run "zip_paths_override_dir_one_function_at_a_time" {
  command = plan

  variables {
    lambdas = {
      dir       = "tests/fixtures/lambdas"
      zip_paths = { webhook = "../webhook/tests/fixtures/lambda.zip" }
    }
  }

  assert {
    condition     = local.zip_paths.webhook == "../webhook/tests/fixtures/lambda.zip" && local.zip_paths.scale_up == "tests/fixtures/lambdas/scale-up.zip"
    error_message = "A zip_paths entry must win over lambdas.dir for its function only."
  }
}

run "default_is_dist_lambdas_of_this_checkout_and_the_message_names_a_real_script" {
  command = plan

  variables {
    lambdas = {
      zip_paths = {
        webhook    = "../webhook/tests/fixtures/lambda.zip"
        scale_up   = "../scale-up/tests/fixtures/lambda.zip"
        lifecycle  = "../lifecycle/tests/fixtures/lambda.zip"
        scale_down = "../scale-down/tests/fixtures/lambda.zip"
      }
    }
  }

  assert {
    condition     = endswith(local.dist, "/../../dist/lambdas")
    error_message = "Without lambdas.dir the zips must come from dist/lambdas at the repository root, where `make build` writes."
  }

  assert {
    condition     = fileexists(local.fetch_script) && endswith(local.fetch_script, "/../../scripts/fetch-lambdas.sh")
    error_message = "The missing-zip message must name the fetch script as it lies beside this module."
  }

  assert {
    condition     = local.release_tag == "v${jsondecode(file("../../package.json")).version}"
    error_message = "The missing-zip message must name this module's own release tag (package.json's version, which make release keeps equal to the tag)."
  }
}

# A dir without the zips stops the plan at terraform_data.checks with the fetch command, and
# at each function module's own precondition; expect_failures cannot name resources inside
# child modules, so test/release/deploy.test.ts checks that plan and its message instead.

run "reject_a_zip_file_as_dir" {
  command = plan

  variables {
    lambdas = { dir = "tests/fixtures/lambdas/webhook.zip" }
  }

  expect_failures = [var.lambdas]
}

run "reject_an_empty_dir" {
  command = plan

  variables {
    lambdas = { dir = " " }
  }

  expect_failures = [var.lambdas]
}
