import type * as env from "../shared/config.ts";
import {
  type ControlConfig,
  loadControlConfig,
  loadRequeueConfig,
  type RequeueConfig,
} from "../shared/control.ts";

export interface LifecycleConfig extends ControlConfig, RequeueConfig {}

/** Reads and validates the lifecycle handler's configuration. */
export function loadLifecycleConfig(source: env.Env): LifecycleConfig {
  return { ...loadControlConfig(source), ...loadRequeueConfig(source) };
}
