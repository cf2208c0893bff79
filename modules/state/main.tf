# One item per key, no sort key: jobs, per-pool counters and instances each live under
# their own `pk` (the Lambdas own the key scheme). Items that should expire carry
# `expiresAt` (epoch seconds) and DynamoDB's TTL removes them.
resource "aws_dynamodb_table" "this" {
  name                        = var.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  deletion_protection_enabled = var.deletion_protection
  tags                        = var.tags

  attribute {
    name = "pk"
    type = "S"
  }

  ttl {
    enabled        = true
    attribute_name = "expiresAt"
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  # enabled = false means the AWS owned key; true with a key ARN means that key.
  server_side_encryption {
    enabled     = var.kms_key_arn != null
    kms_key_arn = var.kms_key_arn
  }
}
