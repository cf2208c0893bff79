/** skiff's runner names: `<prefix>-<instance-id>`, one runner per instance. */
export function runnerName(prefix: string, instanceId: string): string {
  return `${prefix}-${instanceId}`;
}

const INSTANCE_ID = /^i-[0-9a-f]+$/;

/**
 * The instance a runner name points at, when it is one of skiff's names for `prefix`.
 * A name proves nothing by itself: anyone who can register a runner may choose it.
 */
export function instanceOfRunner(prefix: string, name: string | null | undefined): string | undefined {
  if (!name?.startsWith(`${prefix}-`)) return undefined;
  const id = name.slice(prefix.length + 1);
  return INSTANCE_ID.test(id) ? id : undefined;
}

/** Whether a runner name has the shape of skiff's names, whatever the prefix. */
export function isSkiffRunnerName(name: string | null | undefined): boolean {
  return name !== null && name !== undefined && /^[a-z][a-z0-9-]*-i-[0-9a-f]+$/.test(name);
}
