# Encryption at rest: the AWS owned key by default, or a customer managed KMS key.

mock_provider "aws" {}

variables {
  name = "ci-state"
}

run "aws_owned_key_by_default" {
  command = plan

  assert {
    condition     = one(aws_dynamodb_table.this.server_side_encryption).enabled == false
    error_message = "Without kms_key_arn the table must use the AWS owned key (server_side_encryption.enabled = false)."
  }
}

run "customer_managed_key" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition     = one(aws_dynamodb_table.this.server_side_encryption).enabled == true
    error_message = "With kms_key_arn, customer managed encryption must be enabled."
  }

  assert {
    condition     = one(aws_dynamodb_table.this.server_side_encryption).kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    error_message = "The table must be encrypted with the given key."
  }
}
