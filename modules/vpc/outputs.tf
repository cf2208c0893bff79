output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "subnet_ids" {
  description = "The subnets runners should launch in, one per availability zone in the order given: the public subnets in public mode, the private subnets in private mode."
  value       = var.mode == "private" ? [for az in var.availability_zones : aws_subnet.private[az].id] : [for az in var.availability_zones : aws_subnet.public[az].id]
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, one per availability zone in the order given."
  value       = [for az in var.availability_zones : aws_subnet.public[az].id]
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, one per availability zone in the order given; empty in public mode."
  value       = [for az in var.availability_zones : aws_subnet.private[az].id if var.mode == "private"]
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways; empty in public mode."
  value       = [for az in var.availability_zones : aws_nat_gateway.this[az].id if contains(keys(aws_nat_gateway.this), az)]
}

output "nat_public_ips" {
  description = "Elastic IP addresses of the NAT gateways: the fixed egress IPs to allow-list in private mode. Empty in public mode, where each runner has its own changing public IP."
  value       = [for az in var.availability_zones : aws_eip.nat[az].public_ip if contains(keys(aws_eip.nat), az)]
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = aws_internet_gateway.this.id
}

output "route_table_ids" {
  description = "IDs of the route tables: the public one first, then the private ones (private mode) in zone order."
  value       = local.route_table_ids
}

output "flow_log_group_name" {
  description = "Name of the CloudWatch log group receiving VPC flow logs, or null when flow logs are off."
  value       = try(aws_cloudwatch_log_group.flow_logs[0].name, null)
}
