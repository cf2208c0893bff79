import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

/** The logging surface logic depends on; Powertools' Logger satisfies it. */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Counts events; one dimension at most, so each series stays cheap to store. */
export interface Counter {
  count(name: string, dimension?: { name: string; value: string }, value?: number): void;
  /** Records a duration or other measurement in the given unit. */
  measure?(name: string, value: number, unit: "Milliseconds" | "Seconds" | "Count"): void;
}

/** Structured JSON logs through Powertools (level from POWERTOOLS_LOG_LEVEL). */
export function createLogger(service: string): Log {
  const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? service });
  const at =
    (write: (message: string, ...extra: Record<string, unknown>[]) => void) =>
    (message: string, extra?: Record<string, unknown>) =>
      extra ? write(message, extra) : write(message);
  return {
    debug: at(logger.debug.bind(logger)),
    info: at(logger.info.bind(logger)),
    warn: at(logger.warn.bind(logger)),
    error: at(logger.error.bind(logger)),
  };
}

/** CloudWatch metrics in Embedded Metric Format, flushed by `flush()` after each invocation. */
export function createMetrics(service: string): Counter & { flush(): void } {
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "skiff",
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? service,
  });
  return {
    count(name, dimension, value = 1) {
      if (dimension) {
        const single = metrics.singleMetric();
        single.addDimension(dimension.name, dimension.value);
        single.addMetric(name, MetricUnit.Count, value);
      } else {
        metrics.addMetric(name, MetricUnit.Count, value);
      }
    },
    measure(name, value, unit) {
      metrics.addMetric(name, MetricUnit[unit], value);
    },
    flush() {
      metrics.publishStoredMetrics();
    },
  };
}
