import * as env from "../shared/config.ts";
import { type ControlConfig, loadControlConfig } from "../shared/control.ts";

export interface LifecycleConfig extends ControlConfig {
  jobsDlqUrl: string;
  maxRequeues: number;
}

/** Reads and validates the lifecycle handler's configuration (shared with scale-down). */
export function loadLifecycleConfig(source: env.Env): LifecycleConfig {
  return {
    ...loadControlConfig(source),
    jobsDlqUrl: env.url(source, "SKIFF_JOBS_DLQ_URL"),
    maxRequeues: env.integer(source, "SKIFF_MAX_REQUEUES", 3, { min: 0, max: 20 }),
  };
}
