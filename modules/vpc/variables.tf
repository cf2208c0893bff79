variable "name" {
  description = "Name prefix of everything the module creates (Name tags, the flow-log group and role). 1 to 48 characters: letters, digits and hyphens."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,47}$", var.name))
    error_message = "name must be 1 to 48 characters of letters, digits and hyphens, starting with a letter or digit."
  }
}

variable "cidr_block" {
  description = "IPv4 CIDR block of the VPC, a /16 to /24 (AWS allows /16 to /28; each subnet is the VPC block plus 4 bits, and a subnet must be at least a /28). Default 10.0.0.0/16 gives /20 subnets of 4,091 usable addresses."
  type        = string
  default     = "10.0.0.0/16"
  nullable    = false

  validation {
    condition = (
      can(cidrhost(var.cidr_block, 0)) &&
      can(regex("^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$", var.cidr_block)) &&
      try(tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 24, false) &&
      try(cidrhost(var.cidr_block, 0) == split("/", var.cidr_block)[0], false)
    )
    error_message = "cidr_block must be an IPv4 network address in CIDR notation with a prefix from /16 to /24, e.g. \"10.0.0.0/16\" (no host bits set)."
  }
}

variable "availability_zones" {
  description = "Availability zones to spread subnets over, 1 to 6 distinct names in the provider's region (e.g. [\"eu-west-1a\", \"eu-west-1b\", \"eu-west-1c\"]). More zones give spot requests more capacity pools. Given explicitly because listing AZs needs an AWS call."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.availability_zones) >= 1 && length(var.availability_zones) <= 6
    error_message = "availability_zones must list 1 to 6 availability zones."
  }

  validation {
    condition     = length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "availability_zones must not repeat a zone."
  }

  validation {
    condition     = alltrue([for az in var.availability_zones : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$", az))])
    error_message = "availability_zones must hold zone names such as \"us-east-1a\" (not zone IDs such as \"use1-az1\")."
  }
}

variable "mode" {
  description = "Network layout for runners. \"public\" (default): runners in public subnets with public IPv4 addresses and no NAT gateway, the cheapest layout. \"private\": runners in private subnets without public IPs, egress through NAT gateway(s) with fixed Elastic IPs."
  type        = string
  default     = "public"
  nullable    = false

  validation {
    condition     = contains(["public", "private"], var.mode)
    error_message = "mode must be \"public\" or \"private\"."
  }
}

variable "nat_gateway_per_az" {
  description = "With mode = \"private\": one NAT gateway per availability zone (true; survives the loss of a zone, costs one gateway-hour per zone) or a single shared NAT gateway (false, the default; cross-AZ traffic to it is billed). Ignored in public mode."
  type        = bool
  default     = false
  nullable    = false
}

variable "gateway_endpoints" {
  description = "Gateway VPC endpoints to add to every route table. They have no hourly or data charge, keep S3 (e.g. actions/cache backed by S3, artifact downloads) and DynamoDB traffic off the NAT gateway, and need no security-group rule. s3 defaults to true, dynamodb to false."
  type = object({
    s3       = optional(bool, true)
    dynamodb = optional(bool, false)
  })
  default  = {}
  nullable = false
}

variable "flow_logs" {
  description = "VPC flow logs to a CloudWatch log group the module creates (\"/aws/vpc-flow-logs/<name>\"). enabled: default false; traffic_type: ACCEPT, REJECT or ALL (default REJECT, the cheap record of blocked traffic); retention_in_days: a CloudWatch Logs retention value (default 30); kms_key_arn: optional customer managed key for the log group."
  type = object({
    enabled           = optional(bool, false)
    traffic_type      = optional(string, "REJECT")
    retention_in_days = optional(number, 30)
    kms_key_arn       = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.flow_logs.traffic_type)
    error_message = "flow_logs.traffic_type must be \"ACCEPT\", \"REJECT\" or \"ALL\"."
  }

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs.retention_in_days)
    error_message = "flow_logs.retention_in_days must be a CloudWatch Logs retention value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }

  validation {
    condition     = var.flow_logs.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.flow_logs.kms_key_arn))
    error_message = "flow_logs.kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

variable "iam" {
  description = "Every IAM role this module creates: permissions_boundary_arn (a managed policy ARN set as each role's permissions boundary; null for none) and path (the roles' IAM path, \"/\" or /<segments>/). modules/runners validates both."
  type = object({
    permissions_boundary_arn = optional(string)
    path                     = optional(string, "/")
  })
  default  = {}
  nullable = false
}

variable "tags" {
  description = "Tags for every resource the module creates. The module adds a Name tag."
  type        = map(string)
  default     = {}
  nullable    = false
}
