/** skiff's runner names: `<prefix>-<id>`, one runner per EC2 instance or Fargate task. */
export function runnerName(prefix: string, instanceId: string): string {
  return `${prefix}-${instanceId}`;
}

const TASK_ID = "[0-9a-f]{32}";
/** An EC2 instance id, or an ECS task id (the last part of its ARN: 32 lowercase hex digits). */
const ID = `(?:i-[0-9a-f]+|${TASK_ID})`;
const RUNNER_ID = new RegExp(`^${ID}$`);
const SKIFF_NAME = new RegExp(`^[a-z][a-z0-9-]*-${ID}$`);
const TASK = new RegExp(`^${TASK_ID}$`);

/** Whether an id is an ECS task's rather than an EC2 instance's. */
export function isTaskId(id: string): boolean {
  return TASK.test(id);
}

/**
 * The instance or task a runner name points at, when it is one of skiff's names for `prefix`.
 * A name proves nothing by itself: anyone who can register a runner may choose it.
 */
export function instanceOfRunner(prefix: string, name: string | null | undefined): string | undefined {
  if (!name?.startsWith(`${prefix}-`)) return undefined;
  const id = name.slice(prefix.length + 1);
  return RUNNER_ID.test(id) ? id : undefined;
}

/** Whether a runner name has the shape of skiff's names, whatever the prefix. */
export function isSkiffRunnerName(name: string | null | undefined): boolean {
  return name !== null && name !== undefined && SKIFF_NAME.test(name);
}
