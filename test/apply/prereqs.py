#!/usr/bin/env python3
"""Create in moto what an example expects to exist already, and print its variables as JSON.

    python3 test/apply/prereqs.py EXAMPLE_NAME ENDPOINT_URL > terraform.tfvars.json

Every example gets a GitHub App ID; existing-vpc also gets a VPC with two private subnets
and the SSM parameter that a Packer build would have written the runner AMI's ID to;
graviton gets that parameter for its arm64 AMI; fargate also gets the repository its OIDC
role trusts.
Other directories (the checker's fixtures) get no variables.
"""

from __future__ import annotations

import json
import sys

REGION = "us-east-1"


def client(service: str, endpoint: str):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def existing_vpc(endpoint: str) -> dict:
    ec2 = client("ec2", endpoint)
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
        for i, az in enumerate(["a", "b"])
    ]
    # The AMI a Packer build would have baked: any image moto knows stands in for it.
    image_id = ec2.describe_images(Owners=["amazon"], MaxResults=5)["Images"][0]["ImageId"]
    client("ssm", endpoint).put_parameter(Name="/skiff/ami/x86_64", Type="String", Value=image_id, DataType="aws:ec2:image")
    return {"vpc_id": vpc_id, "subnet_ids": subnet_ids, "runner_ami_parameter": "/skiff/ami/x86_64"}


def graviton(endpoint: str) -> dict:
    # The arm64 AMI a Packer build would have baked: any image moto knows stands in for it.
    image_id = client("ec2", endpoint).describe_images(Owners=["amazon"], MaxResults=5)["Images"][0]["ImageId"]
    client("ssm", endpoint).put_parameter(Name="/skiff/ami/arm64", Type="String", Value=image_id, DataType="aws:ec2:image")
    return {"runner_ami_parameter": "/skiff/ami/arm64"}


EXAMPLES = {
    "default": lambda endpoint: {},
    "multi-pool": lambda endpoint: {},
    "existing-vpc": existing_vpc,
    "graviton": graviton,
    # Nothing to create: the OIDC role's repository is its other variable without a default.
    "fargate": lambda endpoint: {"github_repository": "octo-org/app"},
}


def main() -> int:
    name, endpoint = sys.argv[1], sys.argv[2]
    if name not in EXAMPLES:
        print("{}")
        return 0
    variables = {"github_app_id": "123456", **EXAMPLES[name](endpoint)}
    print(json.dumps(variables, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
