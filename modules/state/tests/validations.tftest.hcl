# Each invalid input fails at plan with an error naming the variable.

mock_provider "aws" {}

variables {
  name = "ci-state"
}

run "reject_name_too_short" {
  command = plan
  variables {
    name = "ci"
  }
  expect_failures = [var.name]
}

run "reject_name_with_invalid_characters" {
  command = plan
  variables {
    name = "ci/state"
  }
  expect_failures = [var.name]
}

run "reject_kms_key_that_is_not_an_arn" {
  command = plan
  variables {
    kms_key_arn = "alias/aws/dynamodb"
  }
  expect_failures = [var.kms_key_arn]
}
