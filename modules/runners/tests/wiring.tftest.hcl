# How the parts are wired: names, queues and their consumers' timeouts, the GitHub App's
# parameters, encryption and the outputs an operator needs. Planned under a mocked AWS
# provider.

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
  lambdas = {
    zip_paths = {
      webhook    = "../webhook/tests/fixtures/lambda.zip"
      scale_up   = "../scale-up/tests/fixtures/lambda.zip"
      lifecycle  = "../lifecycle/tests/fixtures/lambda.zip"
      scale_down = "../scale-down/tests/fixtures/lambda.zip"
    }
  }
  pools = {
    linux = { instance_types = ["m7i.large"], max_runners = 5 }
  }
}

run "defaults_name_everything_after_the_prefix_and_wire_the_queues_to_their_consumers" {
  command = plan

  assert {
    condition     = output.function_names == { webhook = "ci-webhook", scale_up = "ci-scale-up", lifecycle = "ci-lifecycle", scale_down = "ci-scale-down" }
    error_message = "The functions must be <prefix>-webhook, -scale-up, -lifecycle and -scale-down: the dashboard keys its metrics by these service names."
  }

  assert {
    condition     = module.webhook.service_name == "ci-webhook" && module.scale_up.service_name == "ci-scale-up" && module.lifecycle.service_name == "ci-lifecycle" && module.scale_down.service_name == "ci-scale-down"
    error_message = "The Powertools service names must be the function names the dashboard expects."
  }

  assert {
    condition     = module.jobs_queue.queue_name == "ci-jobs" && output.jobs_dlq_name == "ci-jobs-dlq" && module.lifecycle_queue.queue_name == "ci-lifecycle" && output.lifecycle_dlq_name == "ci-lifecycle-dlq" && output.state_table_name == "ci-state"
    error_message = "Queues, DLQs and the table must be named after the prefix."
  }

  assert {
    condition     = local.functions.scale_up.timeout == 60 && module.jobs_queue.visibility_timeout_seconds == 6 * local.functions.scale_up.timeout
    error_message = "The jobs queue's visibility timeout must follow scale-up's timeout (six times it)."
  }

  assert {
    condition     = local.functions.lifecycle.timeout == 30 && module.lifecycle_queue.visibility_timeout_seconds == 6 * local.functions.lifecycle.timeout
    error_message = "The lifecycle queue's visibility timeout must follow the lifecycle function's timeout (six times it)."
  }

  assert {
    condition     = local.functions.scale_down.reserved_concurrency == null
    error_message = "The reconcile must reserve no concurrency by default: on a new account (quota 10) any reservation fails the apply."
  }

  assert {
    condition     = local.webhook_api == { throttling_burst_limit = 1000, throttling_rate_limit = 200 }
    error_message = "The webhook endpoint must absorb a large matrix burst by default: a burst of 1000 requests and 200 requests/s."
  }

  assert {
    condition     = output.kms_key_policy_json == null && length(aws_kms_grant.spot_ebs) == 0 && local.runner_pools["linux"].root_volume.kms_key_arn == null
    error_message = "Without KMS keys there is no key policy to add to, no grant, and root volumes use the account's default EBS key."
  }

  assert {
    condition = toset([for k in keys(module.dashboard.alarm_names) : k if startswith(k, "eventbridge_failed_")]) == toset([
      "eventbridge_failed_spot_interruption", "eventbridge_failed_state_change", "eventbridge_failed_reconcile_schedule",
    ])
    error_message = "Each EventBridge rule (the lifecycle rules and the reconcile schedule) must have a FailedInvocations alarm."
  }

  assert {
    condition     = length(aws_iam_service_linked_role.spot) == 0
    error_message = "The EC2 Spot service-linked role must not be created by default: an account holds it once, and any earlier spot use created it."
  }

  assert {
    condition     = module.scale_down.schedule_rule_name == "ci-scale-down-schedule"
    error_message = "The reconcile must run on its own schedule rule."
  }

  assert {
    condition = toset(module.lifecycle.eventbridge_rule_arns) == toset([
      "arn:aws:events:eu-west-1:123456789012:rule/ci-lifecycle-spot-interruption",
      "arn:aws:events:eu-west-1:123456789012:rule/ci-lifecycle-state-change",
    ])
    error_message = "The lifecycle queue must admit the lifecycle module's two EventBridge rules, in the queue's own region and account."
  }

  assert {
    condition     = alltrue([for f in values(local.functions) : f.runtime == "nodejs22.x" && f.architecture == "arm64"]) && local.functions.webhook.zip_path == "../webhook/tests/fixtures/lambda.zip" && local.functions.scale_down.zip_path == "../scale-down/tests/fixtures/lambda.zip"
    error_message = "Every function must run nodejs22.x on arm64 by default, from the zip given for it."
  }

  assert {
    condition     = output.webhook_secret_parameter == "/ci/github-app/webhook-secret" && output.github_app_key_parameter == "/ci/github-app/key"
    error_message = "The App's parameters must default to /<prefix>/github-app/webhook-secret and /<prefix>/github-app/key."
  }

  assert {
    condition     = module.jobs_queue.kms_key_arn == null && module.lifecycle_queue.kms_key_arn == null
    error_message = "Without kms_key_arn the queues must use SSE-SQS."
  }

  assert {
    condition     = output.dashboard_url == "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/ci-skiff"
    error_message = "The dashboard must be in the queues' region (read from the jobs queue's ARN, no AWS call)."
  }

  assert {
    condition = alltrue([for v in [
      output.webhook_url, output.jobs_queue_url, output.jobs_queue_arn, output.lifecycle_queue_url, output.lifecycle_queue_arn, output.state_table_name,
    ] : v != null && v != ""])
    error_message = "Every output an operator needs must be set."
  }

  assert {
    condition     = output.webhook_url == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/webhook" && output.jobs_queue_url == "https://sqs.eu-west-1.amazonaws.com/123456789012/ci-jobs" && output.lifecycle_queue_arn == "arn:aws:sqs:eu-west-1:123456789012:ci-lifecycle"
    error_message = "webhook_url and the queue outputs must come from the webhook's API and the two queues."
  }

  assert {
    condition     = output.vpc_id == "vpc-0123456789abcdef0" && output.subnet_ids == tolist(["subnet-0aaaaaaaaaaaaaaa1"])
    error_message = "vpc_id and subnet_ids must echo the existing network."
  }
}

run "app_parameters_kms_key_and_lambda_settings_are_passed_through" {
  command = plan

  variables {
    github_app = {
      id                            = "123456"
      key_ssm_parameter             = "/shared/app-key"
      webhook_secret_ssm_parameters = ["/shared/secret-new", "/shared/secret-old"]
      api_url                       = "https://github.example.com/api/v3"
      kms_key_arn                   = "arn:aws:kms:eu-west-1:123456789012:key/app"
    }
    kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/data"
    reconcile          = { reserved_concurrency = 1 }
    webhook_throttling = { burst_limit = 2000, rate_limit = 500 }
    lambdas = {
      runtime      = "nodejs22.x"
      architecture = "x86_64"
      zip_paths = {
        webhook    = "../webhook/tests/fixtures/lambda.zip"
        scale_up   = "../scale-up/tests/fixtures/lambda.zip"
        lifecycle  = "../lifecycle/tests/fixtures/lambda.zip"
        scale_down = "../scale-down/tests/fixtures/lambda.zip"
      }
    }
  }

  assert {
    condition     = output.webhook_secret_parameter == "/shared/secret-new" && output.github_app_key_parameter == "/shared/app-key"
    error_message = "The current webhook secret is the first parameter listed; the key parameter is the one given."
  }

  assert {
    condition     = local.github_app_key == { id = "123456", key_parameter = "/shared/app-key", key_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/app", api_url = "https://github.example.com/api/v3" }
    error_message = "scale-up and lifecycle must get the App's id, key parameter, its KMS key and the API URL."
  }

  assert {
    condition     = module.jobs_queue.kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/data" && module.lifecycle_queue.kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/data"
    error_message = "kms_key_arn must encrypt both queues."
  }

  assert {
    condition     = local.webhook_api == { throttling_burst_limit = 2000, throttling_rate_limit = 500 }
    error_message = "webhook_throttling must reach the webhook's API stage."
  }

  assert {
    condition     = local.secret_parameters == ["/shared/app-key", "/shared/secret-new", "/shared/secret-old"]
    error_message = "The runner pools must deny the App key and every webhook secret parameter, wherever they live."
  }

  assert {
    condition     = local.functions.scale_down.reserved_concurrency == 1
    error_message = "reconcile.reserved_concurrency must reach the scale-down function."
  }

  assert {
    condition     = alltrue([for f in values(local.functions) : f.runtime == "nodejs22.x" && f.architecture == "x86_64"])
    error_message = "lambdas.runtime and lambdas.architecture must reach every function (the AWS provider 5.x knows no runtime after nodejs22.x to test with)."
  }
}

run "create_spot_service_linked_role_creates_the_role_spot_launches_need" {
  command = plan

  variables {
    create_spot_service_linked_role = true
  }

  assert {
    condition     = length(aws_iam_service_linked_role.spot) == 1 && aws_iam_service_linked_role.spot[0].aws_service_name == "spot.amazonaws.com"
    error_message = "create_spot_service_linked_role must create the service-linked role of spot.amazonaws.com (AWSServiceRoleForEC2Spot)."
  }
}

run "customer_managed_keys_get_the_permissions_launches_and_eventbridge_need" {
  command = plan

  variables {
    kms_key_arn     = "arn:aws:kms:eu-west-1:123456789012:key/data"
    ebs_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/ebs"
  }

  assert {
    condition = jsondecode(output.kms_key_policy_json).Statement == [{
      Sid       = "AllowEventBridgeToSkiffLifecycleQueue"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
      Resource  = "*"
    }]
    error_message = "With kms_key_arn, kms_key_policy_json must hold the statement that lets EventBridge send to the encrypted lifecycle queue and its DLQ."
  }

  assert {
    condition     = alltrue([for p in values(local.runner_pools) : p.root_volume.kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/ebs"])
    error_message = "ebs_kms_key_arn must encrypt every pool's root volume."
  }

  assert {
    condition = length(aws_kms_grant.spot_ebs) == 1 && aws_kms_grant.spot_ebs[0].key_id == "arn:aws:kms:eu-west-1:123456789012:key/ebs" && aws_kms_grant.spot_ebs[0].grantee_principal == "arn:aws:iam::123456789012:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot" && toset(aws_kms_grant.spot_ebs[0].operations) == toset([
      "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "CreateGrant", "DescribeKey",
    ])
    error_message = "Spot launches need the EC2 Spot service-linked role to use the EBS key: a grant of the EC2 Fleet prerequisites' operations to AWSServiceRoleForEC2Spot of the deployment's account."
  }
}

run "no_spot_grant_when_no_pool_uses_spot" {
  command = plan

  variables {
    ebs_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/ebs"
    pools           = { linux = { instance_types = ["m7i.large"], max_runners = 5, capacity_type = "on-demand" } }
  }

  assert {
    condition     = length(aws_kms_grant.spot_ebs) == 0
    error_message = "Without spot pools the EC2 Spot role needs no grant (scale-up's own role covers on-demand launches)."
  }
}
