/** A configuration value is missing or invalid. Thrown at cold start, never at request time. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`skiff configuration: ${field} ${message}`, options);
  }
}

/** A message or payload failed validation; the text says which field and why. */
export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field} ${message}`);
  }
}

/**
 * A failure worth retrying later (throttling, capacity, a transient network error):
 * the message goes back to the queue.
 */
export class RetryableError extends Error {
  override name = "RetryableError";
}

/**
 * A failure that retrying will not fix (bad launch template, unauthorised): logged
 * loudly, and the message ends in the DLQ after the queue's max receive count.
 */
export class PermanentError extends Error {
  override name = "PermanentError";
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
