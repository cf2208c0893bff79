locals {
  # The region is read off the zone names ("eu-west-1a" -> "eu-west-1"), so the module
  # needs no AWS call to name the gateway endpoint services.
  region  = replace(var.availability_zones[0], "/[a-z]$/", "")
  private = var.mode == "private"
  azs     = { for i, az in var.availability_zones : az => i }

  # Each subnet is the VPC block plus 4 bits: public subnets take slots 0-5, private 8-13.
  public_cidrs  = { for az, i in local.azs : az => cidrsubnet(var.cidr_block, 4, i) }
  private_cidrs = { for az, i in local.azs : az => cidrsubnet(var.cidr_block, 4, i + 8) }

  nat_azs = local.private ? (var.nat_gateway_per_az ? var.availability_zones : [var.availability_zones[0]]) : []
  # The NAT gateway each private subnet routes through: its own zone's, or the single one.
  nat_for = { for az in var.availability_zones : az => var.nat_gateway_per_az ? az : var.availability_zones[0] }

  endpoint_services = { for svc, on in { s3 = var.gateway_endpoints.s3, dynamodb = var.gateway_endpoints.dynamodb } : svc => "com.amazonaws.${local.region}.${svc}" if on }
  route_table_ids   = concat([aws_route_table.public.id], [for az in var.availability_zones : aws_route_table.private[az].id if local.private])
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition     = alltrue([for az in var.availability_zones : replace(az, "/[a-z]$/", "") == local.region])
      error_message = "availability_zones must all be in one region (the provider's); got ${join(", ", var.availability_zones)}."
    }
  }
}

# Strip the default security group of its allow-all rules so nothing lands in it by accident;
# runners get their own group from the runner pool module.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-default-deny" })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = var.name })
}

resource "aws_subnet" "public" {
  for_each = local.public_cidrs

  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value
  # In public mode runners live here and reach the internet through their own public IP.
  # In private mode these subnets only hold the NAT gateways.
  map_public_ip_on_launch = !local.private

  tags = merge(var.tags, { Name = "${var.name}-public-${each.key}", Tier = "public" })
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-public" })
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  for_each = aws_subnet.public

  subnet_id      = each.value.id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  for_each = toset(local.nat_azs)

  domain = "vpc"
  tags   = merge(var.tags, { Name = "${var.name}-nat-${each.key}" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  for_each = toset(local.nat_azs)

  allocation_id = aws_eip.nat[each.key].id
  subnet_id     = aws_subnet.public[each.key].id
  tags          = merge(var.tags, { Name = "${var.name}-${each.key}" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_subnet" "private" {
  for_each = local.private ? local.private_cidrs : {}

  vpc_id                  = aws_vpc.this.id
  availability_zone       = each.key
  cidr_block              = each.value
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${var.name}-private-${each.key}", Tier = "private" })
}

# One route table per zone even with a single NAT gateway, so switching
# nat_gateway_per_az later changes routes, not associations.
resource "aws_route_table" "private" {
  for_each = local.private ? local.azs : {}

  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-private-${each.key}" })
}

resource "aws_route" "private_nat" {
  for_each = local.private ? local.azs : {}

  route_table_id         = aws_route_table.private[each.key].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[local.nat_for[each.key]].id
}

resource "aws_route_table_association" "private" {
  for_each = aws_subnet.private

  subnet_id      = each.value.id
  route_table_id = aws_route_table.private[each.key].id
}

resource "aws_vpc_endpoint" "gateway" {
  for_each = local.endpoint_services

  vpc_id            = aws_vpc.this.id
  service_name      = each.value
  vpc_endpoint_type = "Gateway"
  route_table_ids   = local.route_table_ids

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}
