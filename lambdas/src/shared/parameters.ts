import { GetParametersCommand, type SSMClient } from "@aws-sdk/client-ssm";

/** Reads SecureString parameters by name, in the order given, with decryption. */
export async function readParameters(ssm: SSMClient, names: readonly string[]): Promise<string[]> {
  const found = new Map<string, string>();
  // GetParameters takes at most 10 names per call.
  for (let i = 0; i < names.length; i += 10) {
    const batch = names.slice(i, i + 10);
    const out = await ssm.send(new GetParametersCommand({ Names: batch, WithDecryption: true }));
    for (const p of out.Parameters ?? []) if (p.Name && p.Value !== undefined) found.set(p.Name, p.Value);
  }
  const missing = names.filter((name) => !found.has(name));
  if (missing.length > 0) throw new Error(`SSM parameters not found: ${missing.join(", ")}`);
  return names.map((name) => found.get(name) as string);
}

/**
 * Caches secret parameters for `ttlMs`, so a rotated secret is picked up within that time
 * without a cold start. A failed read is not cached.
 */
export function cachedParameters(
  ssm: SSMClient,
  names: readonly string[],
  ttlMs: number,
  now: () => number = Date.now,
): () => Promise<string[]> {
  let cached: { at: number; values: Promise<string[]> } | undefined;
  return () => {
    if (!cached || now() - cached.at > ttlMs) {
      const values = readParameters(ssm, names);
      const entry = { at: now(), values };
      cached = entry;
      values.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.values;
  };
}
