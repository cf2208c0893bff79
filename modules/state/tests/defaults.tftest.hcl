# The state table's shape and protection, planned under a mocked AWS provider.

mock_provider "aws" {}

variables {
  name = "ci-state"
}

run "on_demand_table_keyed_by_pk_only" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST"
    error_message = "The table must bill per request (no capacity to manage or exhaust)."
  }

  assert {
    condition     = aws_dynamodb_table.this.hash_key == "pk" && aws_dynamodb_table.this.range_key == null
    error_message = "The table must have hash key pk and no range key."
  }

  assert {
    condition     = [for a in aws_dynamodb_table.this.attribute : "${a.name}:${a.type}"] == ["pk:S"]
    error_message = "The only key attribute must be pk of type S."
  }
}

run "ttl_on_expires_at" {
  command = plan

  assert {
    condition     = one(aws_dynamodb_table.this.ttl).enabled == true && one(aws_dynamodb_table.this.ttl).attribute_name == "expiresAt"
    error_message = "TTL must be enabled on the expiresAt attribute."
  }
}

run "point_in_time_recovery_on_by_default" {
  command = plan

  assert {
    condition     = one(aws_dynamodb_table.this.point_in_time_recovery).enabled == true
    error_message = "Point-in-time recovery must be on by default."
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled == false
    error_message = "Deletion protection must be off by default."
  }
}

run "toggles" {
  command = plan

  variables {
    point_in_time_recovery = false
    deletion_protection    = true
  }

  assert {
    condition     = one(aws_dynamodb_table.this.point_in_time_recovery).enabled == false
    error_message = "point_in_time_recovery = false must turn recovery off."
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled == true
    error_message = "deletion_protection = true must protect the table."
  }
}
