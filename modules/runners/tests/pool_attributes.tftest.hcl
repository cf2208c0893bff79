# What happens to a misspelled pool attribute, and the network checks made at the caller.
#
# Terraform converts a value to the variable's object type before any validation runs, and the
# conversion drops attributes the type does not declare: a misspelled attribute never reaches a
# validation and cannot be refused (modules/runners/README.md, "Misspelled attributes"). These
# runs pin that behaviour, so a Terraform release that starts refusing unknown attributes shows
# up here and the README can say so.

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
    subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
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
    linux = { labels = ["docker"], instance_types = ["m7i.large"], max_runners = 5 }
  }
}

run "a_misspelled_pool_attribute_is_dropped_and_the_default_applies" {
  command = plan

  variables {
    pools = {
      linux = { label = ["docker"], on_demand_fallbak = false, instance_types = ["m7i.large"], max_runners = 5 }
    }
  }

  assert {
    condition     = jsondecode(local.pools_json)[0].onDemandFallback == true
    error_message = "on_demand_fallbak is not an attribute of a pool: Terraform drops it and on_demand_fallback keeps its default, true."
  }

  assert {
    condition     = jsondecode(local.pools_json)[0].labels == []
    error_message = "label is not an attribute of a pool: Terraform drops it and labels keeps its default, []."
  }
}

run "reject_availability_zone_ids_at_the_caller" {
  command = plan

  variables {
    network = { create_vpc = { availability_zones = ["use1-az1"] } }
  }

  expect_failures = [var.network]
}

run "reject_create_vpc_without_zones_at_the_caller" {
  command = plan

  variables {
    network = { create_vpc = { availability_zones = [] } }
  }

  expect_failures = [var.network]
}

run "reject_create_vpc_cidr_with_host_bits_at_the_caller" {
  command = plan

  variables {
    network = { create_vpc = { availability_zones = ["us-east-1a"], cidr_block = "10.0.0.1/16" } }
  }

  expect_failures = [var.network]
}

run "reject_create_vpc_flow_log_traffic_type_at_the_caller" {
  command = plan

  variables {
    network = { create_vpc = { availability_zones = ["us-east-1a"], flow_logs = { enabled = true, traffic_type = "SOME" } } }
  }

  expect_failures = [var.network]
}
