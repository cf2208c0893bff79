# Public mode (the default): runners in public subnets with public IPs, no NAT gateway.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name               = "ci"
  availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}

override_resource {
  override_during = plan
  target          = aws_subnet.public
  values = {
    id = "subnet-0public0000000000"
  }
}

run "one_public_subnet_per_zone_with_public_ips" {
  command = plan

  assert {
    condition     = length(aws_subnet.public) == 3
    error_message = "Public mode must create one public subnet per availability zone."
  }

  assert {
    condition     = alltrue([for s in aws_subnet.public : s.map_public_ip_on_launch])
    error_message = "Public subnets must assign public IPv4 addresses on launch: runners reach GitHub through them."
  }

  assert {
    condition     = [for az in var.availability_zones : aws_subnet.public[az].cidr_block] == ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]
    error_message = "Public subnets must be the VPC block plus 4 bits, in zone order."
  }

  assert {
    condition     = aws_vpc.this.enable_dns_hostnames && aws_vpc.this.enable_dns_support
    error_message = "The VPC must have DNS support and hostnames on (SSM and gateway endpoints rely on them)."
  }
}

run "no_nat_gateway_and_default_route_to_the_internet_gateway" {
  command = plan

  assert {
    condition     = length(aws_nat_gateway.this) == 0 && length(aws_eip.nat) == 0
    error_message = "Public mode must not create a NAT gateway or Elastic IP (they cost money by the hour)."
  }

  assert {
    condition     = length(aws_subnet.private) == 0 && length(aws_route_table.private) == 0
    error_message = "Public mode must not create private subnets or route tables."
  }

  assert {
    condition     = aws_route.public_internet.destination_cidr_block == "0.0.0.0/0"
    error_message = "The public route table must send 0.0.0.0/0 to the internet gateway."
  }

  assert {
    condition     = length(aws_route_table_association.public) == 3
    error_message = "Every public subnet must be associated with the public route table."
  }

  assert {
    condition     = output.nat_gateway_ids == [] && output.private_subnet_ids == [] && output.nat_public_ips == []
    error_message = "NAT and private outputs must be empty lists in public mode."
  }
}

run "runners_use_the_public_subnets" {
  command = plan

  assert {
    condition     = output.subnet_ids == ["subnet-0public0000000000", "subnet-0public0000000000", "subnet-0public0000000000"]
    error_message = "subnet_ids must be the public subnets in public mode."
  }

  assert {
    condition     = output.subnet_ids == output.public_subnet_ids
    error_message = "In public mode subnet_ids and public_subnet_ids must be the same list."
  }
}

run "s3_gateway_endpoint_by_default" {
  command = plan

  assert {
    condition     = keys(aws_vpc_endpoint.gateway) == ["s3"]
    error_message = "Only the S3 gateway endpoint must be created by default."
  }

  assert {
    condition     = aws_vpc_endpoint.gateway["s3"].service_name == "com.amazonaws.eu-west-1.s3" && aws_vpc_endpoint.gateway["s3"].vpc_endpoint_type == "Gateway"
    error_message = "The S3 endpoint must be a Gateway endpoint for the zones' region (free, unlike interface endpoints)."
  }
}

run "dynamodb_endpoint_and_no_s3_endpoint_on_request" {
  command = plan

  variables {
    gateway_endpoints = { s3 = false, dynamodb = true }
  }

  assert {
    condition     = keys(aws_vpc_endpoint.gateway) == ["dynamodb"]
    error_message = "gateway_endpoints must choose which gateway endpoints exist."
  }

  assert {
    condition     = aws_vpc_endpoint.gateway["dynamodb"].service_name == "com.amazonaws.eu-west-1.dynamodb"
    error_message = "The DynamoDB endpoint must name the region's DynamoDB service."
  }
}

run "tags_are_merged_with_a_name" {
  command = plan

  variables {
    tags = { team = "platform" }
  }

  assert {
    condition     = aws_vpc.this.tags["team"] == "platform" && aws_vpc.this.tags["Name"] == "ci"
    error_message = "Resources must carry the caller's tags plus a Name tag."
  }

  assert {
    condition     = aws_subnet.public["eu-west-1b"].tags["Name"] == "ci-public-eu-west-1b"
    error_message = "Subnets must be named <name>-public-<zone>."
  }
}

run "no_flow_logs_by_default" {
  command = plan

  assert {
    condition     = length(aws_flow_log.this) == 0 && length(aws_iam_role.flow_logs) == 0 && output.flow_log_group_name == null
    error_message = "Flow logs must be off unless asked for."
  }
}
