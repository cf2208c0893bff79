# Optional VPC flow logs to CloudWatch Logs, checked on the real policy JSON. The AWS
# provider computes policy documents locally, so these runs use it with fake credentials
# and override every managed resource (nothing calls AWS). That lets them `apply`: a data
# source that depends on a resource being created is only read at apply.

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "AKIAFAKEFAKEFAKEFAKE"
  secret_key                  = "fake"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

variables {
  name               = "ci"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
  flow_logs          = { enabled = true }
}

override_resource {
  target = aws_cloudwatch_log_group.flow_logs
  values = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vpc-flow-logs/ci"
  }
}

override_resource {
  target = aws_vpc.this
  values = {
    id = "vpc-0123456789abcdef0"
  }
}

override_resource {
  target = aws_default_security_group.this
}

override_resource {
  target = aws_internet_gateway.this
}

override_resource {
  target = aws_subnet.public
}

override_resource {
  target = aws_route_table.public
}

override_resource {
  target = aws_route.public_internet
}

override_resource {
  target = aws_route_table_association.public
}

override_resource {
  target = aws_vpc_endpoint.gateway
}

override_resource {
  target = aws_iam_role.flow_logs
  values = {
    arn  = "arn:aws:iam::123456789012:role/ci-flow-logs-0001"
    name = "ci-flow-logs-0001"
    id   = "ci-flow-logs-0001"
  }
}

override_resource {
  target = aws_iam_role_policy.flow_logs
}

override_resource {
  target = aws_flow_log.this
}

run "flow_logs_go_to_a_log_group_with_a_scoped_role" {
  command = apply

  assert {
    condition     = aws_flow_log.this[0].traffic_type == "REJECT" && aws_flow_log.this[0].log_destination_type == "cloud-watch-logs"
    error_message = "Flow logs must record rejected traffic to CloudWatch Logs by default."
  }

  assert {
    condition     = aws_cloudwatch_log_group.flow_logs[0].name == "/aws/vpc-flow-logs/ci" && aws_cloudwatch_log_group.flow_logs[0].retention_in_days == 30
    error_message = "The flow-log group must be /aws/vpc-flow-logs/<name> with 30 days' retention by default."
  }

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.flow_logs[0].json).Statement[0].Resource == "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vpc-flow-logs/ci:*"
    error_message = "The flow-log role may write only to its own log group."
  }

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.flow_logs_assume[0].json).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    error_message = "The flow-log role's trust policy must be limited to this account (confused-deputy guard)."
  }

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.flow_logs_assume[0].json).Statement[0].Condition.ArnLike["aws:SourceArn"] == "arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/*"
    error_message = "The flow-log role's trust policy must be limited to this account's flow logs."
  }

  assert {
    condition     = output.flow_log_group_name == "/aws/vpc-flow-logs/ci"
    error_message = "flow_log_group_name must name the log group."
  }
}

run "traffic_type_and_retention_are_configurable" {
  command = apply

  variables {
    flow_logs = { enabled = true, traffic_type = "ALL", retention_in_days = 7 }
  }

  assert {
    condition     = aws_flow_log.this[0].traffic_type == "ALL" && aws_cloudwatch_log_group.flow_logs[0].retention_in_days == 7
    error_message = "flow_logs.traffic_type and retention_in_days must reach the flow log and its group."
  }
}

run "flow_logs_role_takes_the_iam_boundary_and_path" {
  command = plan

  variables {
    iam = { permissions_boundary_arn = "arn:aws:iam::123456789012:policy/boundary", path = "/skiff/" }
  }

  assert {
    condition     = aws_iam_role.flow_logs[0].path == "/skiff/" && aws_iam_role.flow_logs[0].permissions_boundary == "arn:aws:iam::123456789012:policy/boundary"
    error_message = "The flow logs role must take iam.path and iam.permissions_boundary_arn, like every role skiff creates."
  }
}
