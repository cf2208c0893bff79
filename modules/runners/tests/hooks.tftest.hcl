# Hooks (pools[*].hooks): they reach each pool's user data, and what cannot work fails at
# plan. The user data itself, its size check and the bootstrap's use of the hooks are
# tested in modules/runner-pool and test/bootstrap.

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


variables {
  prefix     = "ci"
  github_app = { id = "123456" }
  network = {
    vpc_id     = "vpc-0123456789abcdef0"
    subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"]
  }
  lambdas = {
    zip_paths = {
      webhook    = "../webhook/tests/fixtures/lambda.zip"
      scale_up   = "../scale-up/tests/fixtures/lambda.zip"
      lifecycle  = "../lifecycle/tests/fixtures/lambda.zip"
      scale_down = "../scale-down/tests/fixtures/lambda.zip"
    }
  }
  pools = {
    plain  = { instance_types = ["m7i.large"], max_runners = 5 }
    hooked = { labels = ["hooked"], instance_types = ["m7i.large"], max_runners = 5, hooks = { pre_install = "dnf install -y -q jq", job_completed = "docker system prune -af --volumes" } }
  }
}

run "each_pool_gets_its_own_hooks_in_user_data" {
  command = plan

  assert {
    condition     = module.runner_pool["hooked"].user_data_bytes - module.runner_pool["plain"].user_data_bytes > length("dnf install -y -q jq") + length("docker system prune -af --volumes")
    error_message = "pools[*].hooks must reach that pool's user data, and only that pool's."
  }
}

run "reject_install_hooks_on_a_baked_ami" {
  command = plan

  variables {
    pools = {
      baked = { instance_types = ["m7i.large"], max_runners = 5, baked_ami = true, ami = { id = "ami-0123456789abcdef0" }, hooks = { post_install = "echo" } }
    }
  }

  expect_failures = [var.pools]
}

run "job_hooks_are_fine_on_a_baked_ami" {
  command = plan

  variables {
    pools = {
      baked = { instance_types = ["m7i.large"], max_runners = 5, baked_ami = true, ami = { id = "ami-0123456789abcdef0" }, hooks = { job_started = "echo started" } }
    }
  }

  assert {
    condition     = module.runner_pool["baked"].user_data_bytes < 3000
    error_message = "Job hooks on a baked AMI must cost only their own size."
  }
}

run "reject_a_hook_holding_the_here_document_delimiter" {
  command = plan

  variables {
    pools = {
      linux = { instance_types = ["m7i.large"], max_runners = 5, hooks = { job_started = "echo a\nSKIFF_HOOK\necho b" } }
    }
  }

  expect_failures = [var.pools]
}
