import * as env from "../shared/config.ts";
import { type ControlConfig, loadControlConfig } from "../shared/control.ts";

export interface ScaleUpConfig extends ControlConfig {
  jitKmsKeyId: string | undefined;
  freshSeconds: number;
}

/** Reads and validates scale-up's configuration; throws ConfigError naming the bad field. */
export function loadScaleUpConfig(source: env.Env): ScaleUpConfig {
  return {
    ...loadControlConfig(source),
    jitKmsKeyId: source.SKIFF_JIT_KMS_KEY_ID?.trim() || undefined,
    freshSeconds: env.integer(source, "SKIFF_FRESH_MESSAGE_SECONDS", 60, { min: 0, max: 86_400 }),
  };
}
