import * as env from "../shared/config.ts";
import {
  type ControlConfig,
  loadControlConfig,
  loadRequeueConfig,
  type RequeueConfig,
} from "../shared/control.ts";
import { DEFAULT_SETTINGS, type ReconcileSettings } from "./reconcile.ts";

export interface ScaleDownConfig extends ControlConfig, RequeueConfig {
  listEvery: number;
  redeliverEvery: number;
  redeliverMax: number;
  redeliverWindowSeconds: number;
  settings: ReconcileSettings;
}

/** Reads and validates the reconcile's configuration; throws ConfigError naming the bad field. */
export function loadScaleDownConfig(source: env.Env): ScaleDownConfig {
  return {
    ...loadControlConfig(source),
    ...loadRequeueConfig(source),
    listEvery: env.integer(source, "SKIFF_LIST_RUNNERS_EVERY", 10, { min: 1, max: 1000 }),
    redeliverEvery: env.integer(source, "SKIFF_REDELIVER_EVERY", 5, { min: 1, max: 1000 }),
    redeliverMax: env.integer(source, "SKIFF_REDELIVER_MAX", 20, { min: 0, max: 100 }),
    redeliverWindowSeconds: env.integer(source, "SKIFF_REDELIVER_WINDOW_SECONDS", 6 * 3600, {
      min: 60,
      max: 3 * 86_400,
    }),
    settings: {
      ...DEFAULT_SETTINGS,
      doneGraceSeconds: env.integer(source, "SKIFF_DONE_GRACE_SECONDS", DEFAULT_SETTINGS.doneGraceSeconds, {
        min: 0,
        max: 3600,
      }),
      orphanGraceSeconds: env.integer(
        source,
        "SKIFF_ORPHAN_GRACE_SECONDS",
        DEFAULT_SETTINGS.orphanGraceSeconds,
        {
          min: 30,
          max: 3600,
        },
      ),
    },
  };
}
