# modules/runners given subnets that the same configuration creates: their IDs are unknown
# until apply. Planned by tests/network.tftest.hcl, which must not fail on the subnet
# lookup (it is then read, and the one-subnet-per-zone check made, at apply).

resource "aws_subnet" "runners" {
  count = 2

  vpc_id     = "vpc-0123456789abcdef0"
  cidr_block = "10.0.${count.index}.0/24"
}

module "runners" {
  source = "../.."

  prefix     = "ci"
  github_app = { id = "123456" }
  network    = { vpc_id = "vpc-0123456789abcdef0", subnet_ids = aws_subnet.runners[*].id }
  lambdas = {
    zip_paths = {
      webhook    = "${path.module}/../../../webhook/tests/fixtures/lambda.zip"
      scale_up   = "${path.module}/../../../scale-up/tests/fixtures/lambda.zip"
      lifecycle  = "${path.module}/../../../lifecycle/tests/fixtures/lambda.zip"
      scale_down = "${path.module}/../../../scale-down/tests/fixtures/lambda.zip"
    }
  }
  pools = {
    linux = { instance_types = ["m7i.large"], max_runners = 5 }
  }
}
