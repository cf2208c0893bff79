output "queue_url" {
  description = "URL of the queue (what producers send to)."
  value       = aws_sqs_queue.this.id
}

output "queue_arn" {
  description = "ARN of the queue (for IAM policies and event source mappings)."
  value       = aws_sqs_queue.this.arn
}

output "queue_name" {
  description = "Name of the queue."
  value       = aws_sqs_queue.this.name
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dlq.id
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue (for alarms and redrive)."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_name" {
  description = "Name of the dead-letter queue (the CloudWatch QueueName dimension for a DLQ-not-empty alarm)."
  value       = aws_sqs_queue.dlq.name
}

output "visibility_timeout_seconds" {
  description = "Visibility timeout of the queue in seconds (six times consumer_timeout_seconds)."
  value       = aws_sqs_queue.this.visibility_timeout_seconds
}

output "kms_key_arn" {
  description = "KMS key encrypting both queues, or null when they use SSE-SQS. Producers and consumers need kms:GenerateDataKey / kms:Decrypt on it."
  value       = var.kms_key_arn
}

output "max_receive_count" {
  description = "Receives before a message moves to the dead-letter queue (the redrive policy's maxReceiveCount)."
  value       = jsondecode(aws_sqs_queue.this.redrive_policy).maxReceiveCount
}
