# Networking: a new VPC from modules/vpc, public (runners get public IPs) or private.
# Planned under a mocked AWS provider.

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
  mock_resource "aws_vpc" {
    defaults = { id = "vpc-0fedcba9876543210" }
  }
  mock_resource "aws_subnet" {
    defaults = { id = "subnet-0ccccccccccccccc3" }
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
    create_vpc = { availability_zones = ["us-east-1a", "us-east-1b"] }
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
    linux   = { instance_types = ["m7i.large"], max_runners = 5 }
    private = { labels = ["internal"], instance_types = ["m7i.large"], max_runners = 5 }
  }
}

run "create_vpc_public_gives_runners_public_ips_and_the_new_subnets" {
  command = plan

  assert {
    condition     = length(module.vpc) == 1 && output.vpc_id == "vpc-0fedcba9876543210" && length(output.subnet_ids) == 2
    error_message = "create_vpc must create one VPC with a subnet per availability zone, and output them."
  }

  assert {
    condition     = alltrue([for p in jsondecode(local.pools_json) : tolist(p.subnetIds) == tolist(output.subnet_ids)])
    error_message = "Every pool must launch into the new VPC's subnets."
  }

  assert {
    condition     = tolist(output.subnet_ids) == tolist(module.vpc[0].public_subnet_ids)
    error_message = "In a public VPC runners launch into the public subnets, whose map_public_ip_on_launch gives them a public IP (there is no NAT; modules/vpc's tests hold that setting)."
  }
}

run "create_vpc_private_keeps_runners_off_public_ips" {
  command = plan

  variables {
    network = {
      create_vpc = { availability_zones = ["us-east-1a", "us-east-1b"], mode = "private" }
    }
  }

  assert {
    condition     = tolist(output.subnet_ids) == tolist(module.vpc[0].private_subnet_ids)
    error_message = "In a private VPC (NAT) runners launch into the private subnets, which give no public IP."
  }
}

run "reject_create_vpc_with_a_zone_twice" {
  command = plan

  variables {
    network = { create_vpc = { availability_zones = ["us-east-1a", "us-east-1b", "us-east-1a"] } }
  }

  expect_failures = [var.network]
}

# Existing subnets: their zones are read at plan (data "aws_subnet", keyed by position in
# subnet_ids, overridden here).

run "existing_subnets_in_distinct_zones_plan" {
  command = plan

  variables {
    network = { vpc_id = "vpc-0123456789abcdef0", subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"] }
  }

  override_data {
    target = data.aws_subnet.given["0"]
    values = { availability_zone = "us-east-1a" }
  }

  override_data {
    target = data.aws_subnet.given["1"]
    values = { availability_zone = "us-east-1b" }
  }

  assert {
    condition     = local.subnet_zones == { "subnet-0aaaaaaaaaaaaaaa1" = "us-east-1a", "subnet-0aaaaaaaaaaaaaaa2" = "us-east-1b" } && length(local.shared_zones) == 0
    error_message = "Every given subnet's zone must be read at plan."
  }
}

run "reject_two_existing_subnets_in_one_zone" {
  command = plan

  variables {
    network = { vpc_id = "vpc-0123456789abcdef0", subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2", "subnet-0aaaaaaaaaaaaaaa3"] }
  }

  override_data {
    target = data.aws_subnet.given["0"]
    values = { availability_zone = "us-east-1a" }
  }

  override_data {
    target = data.aws_subnet.given["1"]
    values = { availability_zone = "us-east-1b" }
  }

  override_data {
    target = data.aws_subnet.given["2"]
    values = { availability_zone = "us-east-1a" }
  }

  expect_failures = [terraform_data.checks]
}

run "lookup_subnets_false_reads_nothing" {
  command = plan

  variables {
    network = { vpc_id = "vpc-0123456789abcdef0", subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"], lookup_subnets = false }
  }

  assert {
    condition     = length(data.aws_subnet.given) == 0
    error_message = "network.lookup_subnets = false must make no subnet lookup at plan."
  }
}

# A separate mock provider that leaves computed values unknown at plan, as a real plan
# does for subnets created in the same configuration.
mock_provider "aws" {
  alias = "unknown_at_plan"

  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_ssm_parameter" {
    defaults = { insecure_value = "ami-0123456789abcdef0", value = "ami-0123456789abcdef0" }
  }
}

run "subnets_created_in_the_same_configuration_plan" {
  command = plan

  providers = {
    aws = aws.unknown_at_plan
  }

  module {
    source = "./tests/created-subnets"
  }
}
