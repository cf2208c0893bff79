# Private mode: runners in private subnets, egress through NAT gateway(s).

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name               = "ci"
  availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
  mode               = "private"
}

override_resource {
  override_during = plan
  target          = aws_nat_gateway.this
  values = {
    id = "nat-0000000000000000a"
  }
}

override_resource {
  override_during = plan
  target          = aws_subnet.private
  values = {
    id = "subnet-0private000000000"
  }
}

override_resource {
  override_during = plan
  target          = aws_subnet.public
  values = {
    id = "subnet-0public0000000000"
  }
}

override_resource {
  override_during = plan
  target          = aws_route_table.public
  values = {
    id = "rtb-0public00000000000"
  }
}

override_resource {
  override_during = plan
  target          = aws_route_table.private
  values = {
    id = "rtb-0private0000000000"
  }
}

run "private_subnets_without_public_ips" {
  command = plan

  assert {
    condition     = length(aws_subnet.private) == 3 && alltrue([for s in aws_subnet.private : !s.map_public_ip_on_launch])
    error_message = "Private mode must create one private subnet per zone, without public IPs."
  }

  assert {
    condition     = alltrue([for s in aws_subnet.public : !s.map_public_ip_on_launch])
    error_message = "In private mode the public subnets only hold NAT gateways and must not hand out public IPs."
  }

  assert {
    condition     = [for az in var.availability_zones : aws_subnet.private[az].cidr_block] == ["10.0.128.0/20", "10.0.144.0/20", "10.0.160.0/20"]
    error_message = "Private subnets must take slots 8 onwards of the VPC block plus 4 bits, clear of the public ones."
  }
}

run "one_shared_nat_gateway_by_default_and_every_private_route_uses_it" {
  command = plan

  assert {
    condition     = keys(aws_nat_gateway.this) == ["us-east-1a"] && length(aws_eip.nat) == 1
    error_message = "Private mode must create one NAT gateway (with one Elastic IP) in the first zone by default."
  }

  assert {
    condition     = alltrue([for r in aws_route.private_nat : r.destination_cidr_block == "0.0.0.0/0" && r.nat_gateway_id == "nat-0000000000000000a"])
    error_message = "Every private route table must send 0.0.0.0/0 through the NAT gateway."
  }

  assert {
    condition     = length(aws_route_table_association.private) == 3
    error_message = "Every private subnet must be associated with a private route table."
  }

  assert {
    condition     = aws_eip.nat["us-east-1a"].domain == "vpc"
    error_message = "The NAT gateway's Elastic IP must be a VPC address."
  }
}

run "runners_use_the_private_subnets" {
  command = plan

  assert {
    condition     = output.subnet_ids == output.private_subnet_ids && output.subnet_ids == ["subnet-0private000000000", "subnet-0private000000000", "subnet-0private000000000"]
    error_message = "subnet_ids must be the private subnets in private mode."
  }

  assert {
    condition     = output.nat_gateway_ids == ["nat-0000000000000000a"]
    error_message = "nat_gateway_ids must list the NAT gateway."
  }

  assert {
    condition     = length(output.public_subnet_ids) == 3
    error_message = "public_subnet_ids must still list the public (NAT) subnets."
  }
}

run "nat_gateway_per_zone_on_request" {
  command = plan

  variables {
    nat_gateway_per_az = true
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 3 && length(aws_eip.nat) == 3
    error_message = "nat_gateway_per_az must create one NAT gateway and Elastic IP per zone."
  }

  assert {
    condition     = alltrue([for az in var.availability_zones : aws_nat_gateway.this[az].subnet_id == "subnet-0public0000000000"])
    error_message = "Each NAT gateway must sit in a public subnet."
  }

  assert {
    condition     = length(output.nat_gateway_ids) == 3
    error_message = "nat_gateway_ids must list every NAT gateway."
  }
}

run "gateway_endpoints_attach_to_the_private_route_tables" {
  command = plan

  variables {
    gateway_endpoints = { dynamodb = true }
  }

  assert {
    condition     = keys(aws_vpc_endpoint.gateway) == ["dynamodb", "s3"]
    error_message = "S3 (default) and DynamoDB gateway endpoints must both exist."
  }

  assert {
    condition     = aws_vpc_endpoint.gateway["s3"].route_table_ids == toset(["rtb-0public00000000000", "rtb-0private0000000000"]) && length(output.route_table_ids) == 4
    error_message = "Gateway endpoints must be in the public and every private route table, so S3 traffic skips the NAT gateway."
  }
}
