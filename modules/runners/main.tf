locals {
  github_app = {
    id          = var.github_app.id
    api_url     = var.github_app.api_url
    kms_key_arn = var.github_app.kms_key_arn
    key         = coalesce(var.github_app.key_ssm_parameter, "/${var.prefix}/github-app/key")
    webhook_secrets = coalesce(
      var.github_app.webhook_secret_ssm_parameters,
      ["/${var.prefix}/github-app/webhook-secret"],
    )
  }

  # What the submodules' github_app inputs take.
  github_app_key = {
    id              = local.github_app.id
    key_parameter   = local.github_app.key
    key_kms_key_arn = local.github_app.kms_key_arn
    api_url         = local.github_app.api_url
  }

  # The Lambda zips: lambdas.dir (what scripts/fetch-lambdas.sh wrote), else dist/lambdas of
  # the skiff checkout this module is in, where `make build` writes. A git source has no
  # dist/: terraform_data.checks then says what to run.
  dist = trimsuffix(coalesce(var.lambdas.dir, "${path.module}/../../dist/lambdas"), "/")
  zip_paths = {
    webhook    = coalesce(var.lambdas.zip_paths.webhook, "${local.dist}/webhook.zip")
    scale_up   = coalesce(var.lambdas.zip_paths.scale_up, "${local.dist}/scale-up.zip")
    lifecycle  = coalesce(var.lambdas.zip_paths.lifecycle, "${local.dist}/lifecycle.zip")
    scale_down = coalesce(var.lambdas.zip_paths.scale_down, "${local.dist}/scale-down.zip")
  }

  # Function timeouts, in seconds. Each queue's visibility timeout is derived from its
  # consumer's timeout, so both read the same value from here.
  timeouts = {
    scale_up  = var.lambdas.functions.scale_up.timeout
    lifecycle = var.lambdas.functions.lifecycle.timeout
  }

  # Parameters no runner may read, whatever its role is given (runner-pool denies them
  # with everything under /<prefix>/github-app/).
  secret_parameters = concat([local.github_app.key], local.github_app.webhook_secrets)

  # What each Lambda module's `function` input is given.
  functions = {
    webhook    = { zip_path = local.zip_paths.webhook, runtime = var.lambdas.runtime, architecture = var.lambdas.architecture, memory_size = var.lambdas.functions.webhook.memory_size, timeout = var.lambdas.functions.webhook.timeout }
    scale_up   = { zip_path = local.zip_paths.scale_up, runtime = var.lambdas.runtime, architecture = var.lambdas.architecture, memory_size = var.lambdas.functions.scale_up.memory_size, timeout = local.timeouts.scale_up }
    lifecycle  = { zip_path = local.zip_paths.lifecycle, runtime = var.lambdas.runtime, architecture = var.lambdas.architecture, memory_size = var.lambdas.functions.lifecycle.memory_size, timeout = local.timeouts.lifecycle }
    scale_down = { zip_path = local.zip_paths.scale_down, runtime = var.lambdas.runtime, architecture = var.lambdas.architecture, memory_size = var.lambdas.functions.scale_down.memory_size, timeout = var.lambdas.functions.scale_down.timeout, reserved_concurrency = var.reconcile.reserved_concurrency }
  }

  # Names are also the Powertools service names the dashboard's metrics are keyed by.
  function_names = {
    webhook    = "${var.prefix}-webhook"
    scale_up   = "${var.prefix}-scale-up"
    lifecycle  = "${var.prefix}-lifecycle"
    scale_down = "${var.prefix}-scale-down"
  }

  # The webhook endpoint's throttling (API Gateway stage settings).
  webhook_api = {
    throttling_burst_limit = var.webhook_throttling.burst_limit
    throttling_rate_limit  = var.webhook_throttling.rate_limit
  }

  logging = {
    level             = var.logging.level
    retention_in_days = var.logging.retention_in_days
    kms_key_arn       = var.logging.kms_key_arn
    metrics_namespace = "skiff"
  }

  # The functions' network (lambda_vpc): the given groups, else the one created here.
  lambda_vpc = var.lambda_vpc == null ? null : {
    subnet_ids         = var.lambda_vpc.subnet_ids
    security_group_ids = length(var.lambda_vpc.security_group_ids) > 0 ? var.lambda_vpc.security_group_ids : [aws_security_group.lambda[0].id]
  }

  create_vpc = var.network.create_vpc != null
  vpc_id     = local.create_vpc ? module.vpc[0].vpc_id : var.network.vpc_id
  subnet_ids = local.create_vpc ? module.vpc[0].subnet_ids : var.network.subnet_ids
  # The given subnets' zones, read at plan unless network.lookup_subnets is false. CreateFleet
  # fails the whole request ("duplicate instance pools") when two overrides name the same
  # instance type in one Availability Zone, and skiff puts every type in every subnet.
  subnet_zones = { for i, id in var.network.subnet_ids : id => data.aws_subnet.given[tostring(i)].availability_zone if contains(keys(data.aws_subnet.given), tostring(i)) }
  shared_zones = {
    for az, ids in { for id, az in local.subnet_zones : az => id... } : az => sort(ids) if length(ids) > 1
  }

  # Routing order. Terraform iterates a map in lexical key order, so ties between equally
  # specific pools go to the pool whose name sorts first; every Lambda gets this order.
  pool_names = sort(keys(var.pools))

  # The pools by target, each with its target's defaults: the variable leaves the
  # attributes of one target null so that the other target's pools can refuse them.
  ec2_pools = {
    for name, p in var.pools : name => merge(p, {
      spot_allocation_strategy = coalesce(p.spot_allocation_strategy, "price-capacity-optimized")
      disk_size_gb             = coalesce(p.disk_size_gb, 30)
      disk_iops                = coalesce(p.disk_iops, 3000)
      disk_throughput          = coalesce(p.disk_throughput, 125)
    }) if p.target == "ec2"
  }
  fargate_pools = {
    for name, p in var.pools : name => merge(p, {
      cpu                  = coalesce(p.cpu, 2048)
      memory               = coalesce(p.memory, 4 * coalesce(p.cpu, 2048))
      ephemeral_storage_gb = coalesce(p.ephemeral_storage_gb, 20)
      # Fargate ignores a subnet's map_public_ip_on_launch: a task in a public subnet
      # needs its own public address to reach ECR, SSM and GitHub.
      assign_public_ip = coalesce(p.assign_public_ip, try(var.network.create_vpc.mode == "public", false))
    }) if p.target == "fargate"
  }
  fargate = length(local.fargate_pools) > 0

  ami_parameter_default = {
    x64   = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    arm64 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
  }
  # Pools whose AMI is named by an SSM parameter (theirs, or Amazon Linux 2023's).
  ami_parameters = {
    for name, p in local.ec2_pools : name => trimprefix(coalesce(p.ami.ssm_parameter, local.ami_parameter_default[p.architecture]), "resolve:ssm:")
    if p.ami.id == null
  }

  # What each pool's runner-pool module is given.
  runner_pools = {
    for name, p in local.ec2_pools : name => {
      ami_id          = coalesce(p.ami.id, try(data.aws_ssm_parameter.ami[name].insecure_value, null))
      embed_bootstrap = !p.baked_ami
      root_volume     = { size_gb = p.disk_size_gb, iops = p.disk_iops, throughput = p.disk_throughput, kms_key_arn = var.ebs_kms_key_arn }
    }
  }

  # Each pool's debugging: its own settings, else the deployment's.
  debug = {
    for name, p in local.ec2_pools : name => {
      session_manager = coalesce(p.debug.session_manager, var.debug.session_manager)
      ship_logs       = coalesce(p.debug.ship_logs, var.debug.ship_logs)
    }
  }

  # Each pool's runner group: an ID when it is known here (a numeric runner_group; the
  # Default group, ID 1, when stated by name; 1 for repository runners, the only group a
  # repository has), else the name, which the Lambdas resolve to an ID with
  # GET /orgs/{org}/actions/runner-groups.
  runner_groups = {
    for name, p in var.pools : name => (
      p.runner_group == null ? { id = 1, name = null } :
      can(regex("^[0-9]+$", p.runner_group)) ? { id = tonumber(p.runner_group), name = null } :
      lower(p.runner_group) == "default" ? { id = 1, name = null } :
      { id = null, name = p.runner_group }
    )
  }

  # The pools configuration contract, built here and nowhere else: every function gets
  # this one string as SKIFF_POOLS. Its shape is what lambdas/src/shared/pools.ts
  # parsePools reads (camelCase keys; the webhook's parsePoolRoutes ignores the keys it
  # does not route by); test/fixtures/pools.json is an example that tests/pools.tftest.hcl
  # compares with this. In routing order.
  pools_json = jsonencode([for name in local.pool_names : merge({
    name                     = name
    target                   = var.pools[name].target
    labels                   = var.pools[name].labels
    architecture             = var.pools[name].architecture
    capacityType             = var.pools[name].capacity_type
    onDemandFallback         = var.pools[name].on_demand_fallback
    subnetIds                = local.subnet_ids
    maxRunners               = var.pools[name].max_runners
    runnerLevel              = var.pools[name].runner_level
    runnerGroupId            = local.runner_groups[name].id
    runnerGroupName          = local.runner_groups[name].name
    bootTimeoutSeconds       = var.pools[name].boot_timeout_seconds
    maxLifetimeSeconds       = var.pools[name].max_lifetime_seconds
    interruptedRetryOnDemand = var.pools[name].interrupted_retry_on_demand
  }, local.target_fields[name])])

  # What each pool's target adds to the pools JSON.
  target_fields = merge(
    {
      for name, p in local.ec2_pools : name => merge({
        instanceTypes          = p.instance_types
        launchTemplateId       = module.runner_pool[name].launch_template_id
        spotAllocationStrategy = p.spot_allocation_strategy
        }, p.warm == null ? {} : {
        warm = {
          idle           = p.warm.idle
          organization   = p.warm.organization
          maxIdleSeconds = p.warm.max_idle_seconds
          schedule       = p.warm.schedule
        }
      })
    },
    {
      # The task definition by ARN with its revision: a new revision reaches the Lambdas
      # with the same apply that registers it.
      for name, p in local.fargate_pools : name => {
        cluster            = module.fargate_cluster[0].cluster_arn
        taskDefinition     = module.fargate_pool[name].task_definition_arn
        securityGroupIds   = [module.fargate_pool[name].security_group_id]
        assignPublicIp     = p.assign_public_ip
        cpu                = p.cpu
        memory             = p.memory
        ephemeralStorageGb = p.ephemeral_storage_gb
        taskRoleId         = module.fargate_pool[name].task_role_unique_id
      }
    },
  )

  # What scale-up may launch with besides the pools JSON: the runner-pool modules' roles
  # (to pass to EC2) and security groups, and the fargate-pool modules' task and
  # execution roles (to pass to ECS).
  runners = {
    role_arns          = [for name in local.pool_names : module.runner_pool[name].role_arn if contains(keys(local.ec2_pools), name)]
    security_group_ids = [for name in local.pool_names : module.runner_pool[name].security_group_id if contains(keys(local.ec2_pools), name)]
    fargate_role_arns  = flatten([for name in local.pool_names : [module.fargate_pool[name].task_role_arn, module.fargate_pool[name].execution_role_arn] if contains(keys(local.fargate_pools), name)])
  }

  # For the missing-zip message: the fetch script as the user's shell sees it (for a git
  # source, .terraform/modules/<name>/scripts/...), and this module's release tag.
  repository_root = endswith(path.module, "modules/runners") ? trimsuffix(path.module, "modules/runners") : "${path.module}/../../"
  fetch_script    = "${local.repository_root}scripts/fetch-lambdas.sh"
  release_tag     = try("v${jsondecode(file("${path.module}/../../package.json")).version}", "<the tag in your source's ?ref=>")
  missing_zips    = sort([for p in values(local.zip_paths) : p if !fileexists(p)])

  # The jobs queue's ARN names the region and account skiff runs in; no AWS call at plan.
  region     = split(":", module.jobs_queue.queue_arn)[3]
  partition  = split(":", module.jobs_queue.queue_arn)[1]
  account_id = split(":", module.jobs_queue.queue_arn)[4]

  # The role EC2 launches Spot Instances through (one per account, a fixed name).
  spot_service_linked_role_arn = "arn:${local.partition}:iam::${local.account_id}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot"
  uses_spot                    = anytrue([for p in values(local.ec2_pools) : p.capacity_type == "spot"])

  # What kms_key_arn's key policy must allow besides the account's IAM policies: EventBridge
  # sending EC2 events to the lifecycle queue (and its DLQ) encrypted with the key; the
  # SQS Developer Guide's "Configure KMS permissions for AWS services" names these two
  # actions for an event source. Built here, not by a data source, so plans under mocks
  # show it as it is.
  kms_key_policy = var.kms_key_arn == null ? null : jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AllowEventBridgeToSkiffLifecycleQueue"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
      Resource  = "*"
    }]
  })
}

# ---------------------------------------------------------------------------------------
# Cross-variable rules (Terraform 1.7 validations see one variable only).
# ---------------------------------------------------------------------------------------

resource "terraform_data" "checks" {
  input = local.pool_names

  lifecycle {
    precondition {
      # CreateFleet takes at most 300 launch template overrides: one per type and subnet.
      condition     = alltrue([for p in values(local.ec2_pools) : length(p.instance_types) * (local.create_vpc ? length(var.network.create_vpc.availability_zones) : length(var.network.subnet_ids)) <= 300])
      error_message = "pools[*].instance_types times the number of subnets in network must be at most 300 per pool (EC2 CreateFleet's limit on overrides); list fewer instance types or subnets."
    }

    precondition {
      condition     = length(local.shared_zones) == 0
      error_message = "network.subnet_ids must hold at most one subnet per Availability Zone: ${join("; ", [for az, ids in local.shared_zones : "${join(" and ", ids)} are both in ${az}"])}. CreateFleet refuses two subnets of one zone (duplicate instance pools), so every launch would fail; keep one subnet of each zone."
    }

    precondition {
      condition = length(local.missing_zips) == 0
      error_message = join("\n", concat(
        ["lambdas: no Lambda zip at ${join(", ", local.missing_zips)}."],
        var.lambdas.dir != null ? [
          "Fetch the release your module source's ?ref= names into that folder (after terraform init):",
          "  bash ${local.fetch_script} ${local.release_tag} ${trimprefix(local.dist, "./")}",
          ] : [
          "With skiff as a git source, fetch the release your ?ref= names (after terraform init) and point the module at it:",
          "  bash ${local.fetch_script} ${local.release_tag} lambdas",
          "  lambdas = { dir = \"$${path.root}/lambdas\" }",
        ],
        ["In a checkout of skiff, `make build` at its root writes dist/lambdas/ instead."],
      ))
    }
  }
}

# ---------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------

module "vpc" {
  source = "../vpc"
  count  = local.create_vpc ? 1 : 0

  name               = var.prefix
  availability_zones = var.network.create_vpc.availability_zones
  cidr_block         = var.network.create_vpc.cidr_block
  mode               = var.network.create_vpc.mode
  nat_gateway_per_az = var.network.create_vpc.nat_gateway_per_az
  gateway_endpoints  = var.network.create_vpc.gateway_endpoints
  flow_logs          = var.network.create_vpc.flow_logs
  iam                = var.iam
  tags               = var.tags
}

# The given subnets, read at plan for their Availability Zones (network.lookup_subnets).
# Keyed by position, so subnets created in the same configuration (IDs unknown until
# apply) are read, and checked, at apply instead of failing the plan.
data "aws_subnet" "given" {
  for_each = local.create_vpc || !var.network.lookup_subnets ? {} : { for i, id in var.network.subnet_ids : tostring(i) => id }

  id = each.value
}

# ---------------------------------------------------------------------------------------
# Queues and state
# ---------------------------------------------------------------------------------------

module "jobs_queue" {
  source = "../queue"

  name                     = "${var.prefix}-jobs"
  consumer_timeout_seconds = local.timeouts.scale_up
  max_receive_count        = var.jobs_queue.max_receive_count
  kms_key_arn              = var.kms_key_arn
  tags                     = var.tags
}

module "lifecycle_queue" {
  source = "../queue"

  name                     = "${var.prefix}-lifecycle"
  consumer_timeout_seconds = local.timeouts.lifecycle
  kms_key_arn              = var.kms_key_arn
  eventbridge_rule_arns    = module.lifecycle.eventbridge_rule_arns
  tags                     = var.tags
}

module "state" {
  source = "../state"

  name                   = "${var.prefix}-state"
  point_in_time_recovery = var.state_table.point_in_time_recovery
  deletion_protection    = var.state_table.deletion_protection
  kms_key_arn            = var.kms_key_arn
  tags                   = var.tags
}

# ---------------------------------------------------------------------------------------
# EC2 Spot's service-linked role: EC2 launches Spot Instances through it, and scale-up may
# not create it (no iam:CreateServiceLinkedRole). One per account, so opt-in.
# ---------------------------------------------------------------------------------------

resource "aws_iam_service_linked_role" "spot" {
  count = var.create_spot_service_linked_role ? 1 : 0

  aws_service_name = "spot.amazonaws.com"
  description      = "EC2 Spot Instances (created by skiff ${var.prefix})"
  tags             = var.tags
}

# ---------------------------------------------------------------------------------------
# Runner pools: launch template, instance role and security group per pool
# ---------------------------------------------------------------------------------------

# Read at plan; a new AMI behind the parameter shows up as a launch template change.
data "aws_ssm_parameter" "ami" {
  for_each = local.ami_parameters

  name = each.value
}

module "runner_pool" {
  source   = "../runner-pool"
  for_each = local.ec2_pools

  prefix               = var.prefix
  name                 = each.key
  ami_id               = local.runner_pools[each.key].ami_id
  embed_bootstrap      = local.runner_pools[each.key].embed_bootstrap
  boot_timeout_seconds = each.value.boot_timeout_seconds
  hooks                = each.value.hooks
  egress_rules         = each.value.egress_rules
  session_manager      = local.debug[each.key].session_manager
  cloudwatch_agent_logs = {
    enabled           = local.debug[each.key].ship_logs
    retention_in_days = var.debug.log_retention_in_days
    kms_key_arn       = var.logging.kms_key_arn
  }
  vpc_id            = local.vpc_id
  root_volume       = local.runner_pools[each.key].root_volume
  jit_kms_key_arn   = var.kms_key_arn
  secret_parameters = local.secret_parameters
  iam               = var.iam
  tags              = var.tags
}

# ---------------------------------------------------------------------------------------
# Fargate pools: one cluster for all of them; task definition, roles and security group
# per pool. Nothing of this exists without a target = "fargate" pool.
# ---------------------------------------------------------------------------------------

module "fargate_cluster" {
  source = "../fargate-cluster"
  count  = local.fargate ? 1 : 0

  prefix = var.prefix
  tags   = var.tags
}

module "fargate_pool" {
  source   = "../fargate-pool"
  for_each = local.fargate_pools

  prefix               = var.prefix
  name                 = each.key
  image                = each.value.image
  cpu                  = each.value.cpu
  memory               = each.value.memory
  ephemeral_storage_gb = each.value.ephemeral_storage_gb > 20 ? each.value.ephemeral_storage_gb : null
  architecture         = each.value.architecture == "arm64" ? "arm64" : "x86_64"
  boot_timeout_seconds = each.value.boot_timeout_seconds
  vpc_id               = local.vpc_id
  egress_rules         = each.value.egress_rules
  # Task logs always ship (awslogs); kept like the EC2 runners' shipped logs.
  logs              = { retention_in_days = var.debug.log_retention_in_days, kms_key_arn = var.logging.kms_key_arn }
  jit_kms_key_arn   = var.kms_key_arn
  secret_parameters = local.secret_parameters
  iam               = var.iam
  tags              = var.tags
}

# ---------------------------------------------------------------------------------------
# Lambdas
# ---------------------------------------------------------------------------------------

# The functions' group when lambda_vpc names none: every call they make is HTTPS, and
# nothing calls them through the VPC.
resource "aws_security_group" "lambda" {
  count = var.lambda_vpc != null && length(try(var.lambda_vpc.security_group_ids, [])) == 0 ? 1 : 0

  name        = "${var.prefix}-lambda"
  description = "skiff ${var.prefix} functions: HTTPS egress only"
  vpc_id      = local.vpc_id
  tags        = merge(var.tags, { Name = "${var.prefix}-lambda" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "lambda_https" {
  for_each = length(aws_security_group.lambda) == 0 ? {} : { ipv4 = "0.0.0.0/0", ipv6 = "::/0" }

  security_group_id = aws_security_group.lambda[0].id
  description       = "HTTPS to AWS APIs and GitHub"
  cidr_ipv4         = each.key == "ipv4" ? each.value : null
  cidr_ipv6         = each.key == "ipv6" ? each.value : null
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  tags              = var.tags
}

module "webhook" {
  source = "../webhook"

  name                      = local.function_names.webhook
  function                  = local.functions.webhook
  logging                   = local.logging
  pools_json                = local.pools_json
  jobs_queue                = { url = module.jobs_queue.queue_url, arn = module.jobs_queue.queue_arn }
  lifecycle_queue           = { url = module.lifecycle_queue.queue_url, arn = module.lifecycle_queue.queue_arn }
  queue_kms_key_arn         = var.kms_key_arn
  webhook_secret_parameters = local.github_app.webhook_secrets
  secret_kms_key_arn        = local.github_app.kms_key_arn
  allowed_owners            = var.allowed_owners
  allowed_repositories      = var.allowed_repositories
  api                       = local.webhook_api
  vpc                       = local.lambda_vpc
  iam                       = var.iam
  tags                      = var.tags
}

# Spot launches create their encrypted volumes through the EC2 Spot service-linked role,
# which a customer managed key does not admit on its own (EC2 User Guide, EC2 Fleet
# prerequisites: grant access to customer managed keys); a grant gives it the use of the
# key for as long as skiff is deployed.
resource "aws_kms_grant" "spot_ebs" {
  count = var.ebs_kms_key_arn != null && local.uses_spot ? 1 : 0

  name              = "${var.prefix}-spot-runner-volumes"
  key_id            = var.ebs_kms_key_arn
  grantee_principal = local.spot_service_linked_role_arn
  operations        = ["Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "CreateGrant", "DescribeKey"]

  depends_on = [aws_iam_service_linked_role.spot]
}

module "scale_up" {
  source = "../scale-up"

  prefix            = var.prefix
  name              = local.function_names.scale_up
  function          = local.functions.scale_up
  logging           = local.logging
  pools_json        = local.pools_json
  runners           = local.runners
  jobs_queue        = { url = module.jobs_queue.queue_url, arn = module.jobs_queue.queue_arn }
  queue_kms_key_arn = var.kms_key_arn
  state_table       = { name = module.state.table_name, arn = module.state.table_arn }
  github_app        = local.github_app_key
  jit_kms_key_arn   = var.kms_key_arn
  ebs_kms_key_arn   = var.ebs_kms_key_arn
  vpc               = local.lambda_vpc
  iam               = var.iam
  tags              = var.tags
}

module "lifecycle" {
  source = "../lifecycle"

  prefix              = var.prefix
  name                = local.function_names.lifecycle
  function            = local.functions.lifecycle
  logging             = local.logging
  pools_json          = local.pools_json
  lifecycle_queue_arn = module.lifecycle_queue.queue_arn
  lifecycle_dlq_arn   = module.lifecycle_queue.dlq_arn
  fargate             = local.fargate ? { cluster_arn = module.fargate_cluster[0].cluster_arn } : null
  jobs_queue = {
    url     = module.jobs_queue.queue_url
    arn     = module.jobs_queue.queue_arn
    dlq_url = module.jobs_queue.dlq_url
    dlq_arn = module.jobs_queue.dlq_arn
  }
  queue_kms_key_arn = var.kms_key_arn
  state_table       = { name = module.state.table_name, arn = module.state.table_arn }
  github_app        = local.github_app_key
  vpc               = local.lambda_vpc
  iam               = var.iam
  tags              = var.tags
}

module "scale_down" {
  source = "../scale-down"

  prefix              = var.prefix
  name                = local.function_names.scale_down
  function            = local.functions.scale_down
  schedule_expression = var.reconcile.period_minutes == 1 ? "rate(1 minute)" : "rate(${var.reconcile.period_minutes} minutes)"
  logging             = local.logging
  pools_json          = local.pools_json
  jobs_queue = {
    url     = module.jobs_queue.queue_url
    arn     = module.jobs_queue.queue_arn
    dlq_url = module.jobs_queue.dlq_url
    dlq_arn = module.jobs_queue.dlq_arn
  }
  queue_kms_key_arn = var.kms_key_arn
  state_table       = { name = module.state.table_name, arn = module.state.table_arn }
  github_app        = local.github_app_key
  vpc               = local.lambda_vpc
  iam               = var.iam
  tags              = var.tags
}

# ---------------------------------------------------------------------------------------
# Dashboard and alarms
# ---------------------------------------------------------------------------------------

module "dashboard" {
  source = "../dashboard"

  prefix = var.prefix
  region = local.region
  function_names = {
    webhook    = module.webhook.function_name
    scale_up   = module.scale_up.function_name
    lifecycle  = module.lifecycle.function_name
    scale_down = module.scale_down.function_name
  }
  queues = {
    jobs_queue_name      = module.jobs_queue.queue_name
    jobs_dlq_name        = module.jobs_queue.dlq_name
    lifecycle_queue_name = module.lifecycle_queue.queue_name
    lifecycle_dlq_name   = module.lifecycle_queue.dlq_name
  }
  api_id     = module.webhook.api_id
  pool_names = local.pool_names
  # Turns the reconcile's per-cycle count of waiting warm runners into idle runner-hours.
  reconcile_period_minutes = var.reconcile.period_minutes
  # Events these rules match but cannot deliver are otherwise silent.
  eventbridge_rules = merge(module.lifecycle.eventbridge_rule_names, { reconcile_schedule = module.scale_down.schedule_rule_name })
  alarm_actions     = var.alarm_actions
  tags              = var.tags
}
