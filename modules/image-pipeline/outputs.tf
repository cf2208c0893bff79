output "ssm_parameter_names" {
  description = "The SSM parameters that name the newest AMI, by architecture (\"x86_64\", \"arm64\"): /<prefix>/ami/<arch>. Give a pool ami = { ssm_parameter = <name> } and baked_ami = true (modules/runners reads it at plan, so a new AMI reaches the pool at the next apply). The first build creates them."
  value       = local.parameters
}

output "project_name" {
  description = "Name of the CodeBuild project (<prefix>-image-pipeline). `aws codebuild start-build --project-name <name>` runs a check now; add `--environment-variables-override name=SKIFF_FORCE,value=true` to rebuild regardless."
  value       = aws_codebuild_project.this.name
}

output "project_arn" {
  description = "ARN of the CodeBuild project."
  value       = aws_codebuild_project.this.arn
}

output "role_arn" {
  description = "ARN of the build's IAM role (Packer's amazon-ebs permissions, limited to this pipeline's build instances, images and snapshots)."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "CloudWatch Logs group of the checks and builds."
  value       = aws_cloudwatch_log_group.this.name
}
