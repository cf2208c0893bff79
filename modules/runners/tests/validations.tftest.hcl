# Bad inputs fail at plan with a message naming the variable and what it allows. One
# reject_* run per rule, each breaking one thing in an otherwise valid configuration.

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

run "reject_prefix_with_upper_case" {
  command = plan

  variables {
    prefix = "CI"
  }

  expect_failures = [var.prefix]
}

run "reject_non_numeric_app_id" {
  command = plan

  variables {
    github_app = { id = "my-app" }
  }

  expect_failures = [var.github_app]
}

run "reject_app_key_given_as_an_arn" {
  command = plan

  variables {
    github_app = { id = "1", key_ssm_parameter = "arn:aws:ssm:us-east-1:123456789012:parameter/k" }
  }

  expect_failures = [var.github_app]
}

run "reject_api_url_that_is_not_github" {
  command = plan

  variables {
    github_app = { id = "1", api_url = "http://github.example.com" }
  }

  expect_failures = [var.github_app]
}

run "reject_network_with_neither_subnets_nor_create_vpc" {
  command = plan

  variables {
    network = {}
  }

  expect_failures = [var.network]
}

run "reject_network_with_both_subnets_and_create_vpc" {
  command = plan

  variables {
    network = { vpc_id = "vpc-0123456789abcdef0", subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1"], create_vpc = { availability_zones = ["us-east-1a"] } }
  }

  expect_failures = [var.network]
}

run "reject_no_pools" {
  command = plan

  variables {
    pools = {}
  }

  expect_failures = [var.pools]
}

run "reject_pool_name_with_upper_case" {
  command = plan

  variables {
    pools = { Linux = { instance_types = ["m7i.large"], max_runners = 5 } }
  }

  expect_failures = [var.pools]
}

run "reject_pool_without_instance_types" {
  command = plan

  variables {
    pools = { linux = { instance_types = [], max_runners = 5 } }
  }

  expect_failures = [var.pools]
}

run "reject_unknown_capacity_type" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, capacity_type = "reserved" } }
  }

  expect_failures = [var.pools]
}

run "reject_zero_max_runners" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 0 } }
  }

  expect_failures = [var.pools]
}

run "reject_label_with_a_space" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, labels = ["my label"] } }
  }

  expect_failures = [var.pools]
}

run "reject_two_pools_with_the_same_label_set_in_another_case" {
  command = plan

  variables {
    pools = {
      a = { instance_types = ["m7i.large"], max_runners = 5, labels = ["GPU", "docker"] }
      b = { instance_types = ["c7i.large"], max_runners = 5, labels = ["docker", "gpu"] }
    }
  }

  expect_failures = [var.pools]
}

run "reject_graviton_types_in_an_x64_pool" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large", "c6gn.large"], max_runners = 5 } }
  }

  expect_failures = [var.pools]
}

run "reject_x86_types_in_an_arm64_pool" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["t4g.large", "m7i.large"], max_runners = 5, architecture = "arm64" } }
  }

  expect_failures = [var.pools]
}

run "reject_ami_with_both_id_and_parameter" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, ami = { id = "ami-0123456789abcdef0", ssm_parameter = "/ci/ami" } } }
  }

  expect_failures = [var.pools]
}

run "reject_baked_ami_without_an_ami" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, baked_ami = true } }
  }

  expect_failures = [var.pools]
}

run "reject_boot_timeout_longer_than_max_lifetime" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, boot_timeout_seconds = 3600, max_lifetime_seconds = 1800 } }
  }

  expect_failures = [var.pools]
}

run "reject_unknown_runner_level" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, runner_level = "enterprise", runner_group = "skiff" } }
  }

  expect_failures = [var.pools]
}

run "reject_old_lambda_runtime" {
  command = plan

  variables {
    lambdas = { runtime = "nodejs20.x" }
  }

  expect_failures = [var.lambdas]
}

run "reject_unknown_log_level" {
  command = plan

  variables {
    logging = { level = "VERBOSE" }
  }

  expect_failures = [var.logging]
}

run "reject_skiff_tags" {
  command = plan

  variables {
    tags = { "skiff:pool" = "x" }
  }

  expect_failures = [var.tags]
}

run "reject_more_than_300_fleet_overrides" {
  command = plan

  variables {
    network = {
      vpc_id     = "vpc-0123456789abcdef0"
      subnet_ids = ["subnet-0aaaaaaaaaaaaa000", "subnet-0aaaaaaaaaaaaa001", "subnet-0aaaaaaaaaaaaa002", "subnet-0aaaaaaaaaaaaa003", "subnet-0aaaaaaaaaaaaa004", "subnet-0aaaaaaaaaaaaa005", "subnet-0aaaaaaaaaaaaa006", "subnet-0aaaaaaaaaaaaa007", "subnet-0aaaaaaaaaaaaa008", "subnet-0aaaaaaaaaaaaa009", "subnet-0aaaaaaaaaaaaa00a", "subnet-0aaaaaaaaaaaaa00b", "subnet-0aaaaaaaaaaaaa00c", "subnet-0aaaaaaaaaaaaa00d", "subnet-0aaaaaaaaaaaaa00e", "subnet-0aaaaaaaaaaaaa00f"]
    }
    pools = { linux = { instance_types = ["m6i.large", "m6i.xlarge", "m6i.2xlarge", "m6i.4xlarge", "m6i.8xlarge", "m6a.large", "m6a.xlarge", "m6a.2xlarge", "m6a.4xlarge", "m6a.8xlarge", "m7i.large", "m7i.xlarge", "m7i.2xlarge", "m7i.4xlarge", "m7i.8xlarge", "m7a.large", "m7a.xlarge", "m7a.2xlarge", "m7a.4xlarge", "m7a.8xlarge"], max_runners = 5 } }
  }

  expect_failures = [terraform_data.checks]
}

# The checks below used to be repeated by the function modules; modules/runners, the
# public interface, is now the one place they live.

run "reject_prefix_longer_than_20_characters" {
  command = plan

  variables {
    prefix = "ci-a-very-long-prefix-x"
  }

  expect_failures = [var.prefix]
}

run "reject_app_key_kms_key_that_is_not_an_arn" {
  command = plan

  variables {
    github_app = { id = "1", kms_key_arn = "alias/aws/ssm" }
  }

  expect_failures = [var.github_app]
}

run "reject_no_webhook_secret_parameters" {
  command = plan

  variables {
    github_app = { id = "1", webhook_secret_ssm_parameters = [] }
  }

  expect_failures = [var.github_app]
}

run "reject_more_than_ten_webhook_secret_parameters" {
  command = plan

  variables {
    github_app = { id = "1", webhook_secret_ssm_parameters = [for i in range(11) : "/ci/secret-${i}"] }
  }

  expect_failures = [var.github_app]
}

run "reject_webhook_secret_parameter_given_as_an_arn" {
  command = plan

  variables {
    github_app = { id = "1", webhook_secret_ssm_parameters = ["arn:aws:ssm:us-east-1:123456789012:parameter/ci/secret"] }
  }

  expect_failures = [var.github_app]
}

run "reject_webhook_secret_parameter_in_a_reserved_namespace" {
  command = plan

  variables {
    github_app = { id = "1", webhook_secret_ssm_parameters = ["/aws/reference/secretsmanager/x"] }
  }

  expect_failures = [var.github_app]
}

run "reject_subnet_that_is_not_an_id" {
  command = plan

  variables {
    network = { vpc_id = "vpc-0123456789abcdef0", subnet_ids = ["my-subnet"] }
  }

  expect_failures = [var.network]
}

run "reject_instance_type_without_a_size" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i"], max_runners = 5 } }
  }

  expect_failures = [var.pools]
}

run "reject_pool_architecture_amd64" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, architecture = "amd64" } }
  }

  expect_failures = [var.pools]
}

run "reject_unknown_spot_allocation_strategy" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, spot_allocation_strategy = "cheapest" } }
  }

  expect_failures = [var.pools]
}

run "reject_runner_group_zero" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, runner_level = "org", runner_group = "0" } }
  }

  expect_failures = [var.pools]
}

run "reject_boot_timeout_under_30_seconds" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, boot_timeout_seconds = 10 } }
  }

  expect_failures = [var.pools]
}

run "reject_max_lifetime_over_a_week" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, max_lifetime_seconds = 700000 } }
  }

  expect_failures = [var.pools]
}

run "reject_unknown_lambda_architecture" {
  command = plan

  variables {
    lambdas = { architecture = "x64" }
  }

  expect_failures = [var.lambdas]
}

run "reject_log_retention_not_offered_by_cloudwatch" {
  command = plan

  variables {
    logging = { retention_in_days = 10 }
  }

  expect_failures = [var.logging]
}

run "reject_log_kms_key_that_is_not_an_arn" {
  command = plan

  variables {
    logging = { kms_key_arn = "alias/logs" }
  }

  expect_failures = [var.logging]
}

run "reject_kms_key_that_is_not_an_arn" {
  command = plan

  variables {
    kms_key_arn = "alias/aws/sqs"
  }

  expect_failures = [var.kms_key_arn]
}

run "reject_allowed_owner_with_a_slash" {
  command = plan

  variables {
    allowed_owners = ["octo-org/app"]
  }

  expect_failures = [var.allowed_owners]
}

run "reject_allowed_repository_without_owner" {
  command = plan

  variables {
    allowed_repositories = ["app"]
  }

  expect_failures = [var.allowed_repositories]
}

run "reject_zero_reserved_concurrency_for_the_reconcile" {
  command = plan

  variables {
    reconcile = { reserved_concurrency = 0 }
  }

  expect_failures = [var.reconcile]
}

run "reject_webhook_burst_over_the_api_gateway_quota" {
  command = plan

  variables {
    webhook_throttling = { burst_limit = 6000 }
  }

  expect_failures = [var.webhook_throttling]
}

run "reject_org_pool_without_a_runner_group" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, runner_level = "org" } }
  }

  expect_failures = [var.pools]
}

run "reject_runner_group_on_a_repository_pool" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, runner_group = "skiff" } }
  }

  expect_failures = [var.pools]
}

run "reject_runner_group_name_with_a_leading_space" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, runner_level = "org", runner_group = " skiff" } }
  }

  expect_failures = [var.pools]
}

run "reject_associate_public_ip_address_which_createfleet_would_ignore" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, associate_public_ip_address = true } }
  }

  expect_failures = [var.pools]
}

run "reject_ebs_kms_key_given_as_an_alias" {
  command = plan

  variables {
    ebs_kms_key_arn = "alias/aws/ebs"
  }

  expect_failures = [var.ebs_kms_key_arn]
}

run "reject_warm_on_a_repository_pool" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, warm = { idle = 1, organization = "acme" } } }
  }

  expect_failures = [var.pools]
}

run "reject_more_warm_runners_than_max_runners" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 2, runner_level = "org", runner_group = "skiff", warm = { idle = 3, organization = "acme" } } }
  }

  expect_failures = [var.pools]
}

run "reject_a_warm_window_that_is_not_five_cron_fields" {
  command = plan

  variables {
    pools = { linux = { instance_types = ["m7i.large"], max_runners = 5, runner_level = "org", runner_group = "skiff", warm = { idle = 1, organization = "acme", schedule = [{ cron = "7-18 * *" }] } } }
  }

  expect_failures = [var.pools]
}
