import {
  INSTANCE_STATUSES,
  type InstanceStatus,
  type JobStatus,
  NOT_COMPLETED,
  NOT_STARTED,
  REQUEUEABLE,
  WAITING,
} from "./status.ts";

/**
 * What a transition does to the pool slot a job may hold:
 * - `hold`: the job takes a slot reserved for it beforehand (it must not hold one yet);
 * - `release`: the job gives its slot back, and the pool's counter drops with it in the
 *   same write; a job that holds none just moves. A job that ended on another runner
 *   passes it to the instance launched or set aside for it while that one is still up
 *   (`keepOn`), or to the one it ran on: an instance holds its slot until it is down,
 *   so every instance not down is covered by one slot, held by a job or an instance;
 * - `give`: the job gives its slot to another job (`take`), in one write with it;
 * - `none`: the slot stays as it is.
 */
export type SlotEffect = "hold" | "release" | "give" | "take" | "none";

export interface JobTransition {
  /** The statuses the job may be in. */
  from: readonly JobStatus[];
  /** The status it moves to; `same` keeps it. */
  to: JobStatus | "same";
  slot: SlotEffect;
  /** Only the message that holds the claim may make it (its claim token must match). */
  claimed?: true;
}

/**
 * Every way a job's item may change, by name. Callers ask for a transition by name; the
 * store turns its `from` list into the write's condition, so a decision made on an older
 * read can never undo a newer state.
 */
export const JOB_TRANSITIONS = {
  /** A queue message claims the job: new, put back, or its claimer's lease ran out. */
  claim: { from: ["pending"], to: "claimed", slot: "none" },
  /** Scale-up frees a claimed job for the next delivery (no slot was taken). */
  released: { from: ["claimed"], to: "pending", slot: "none", claimed: true },
  /** GitHub no longer has the job queued: nothing to launch. */
  skipped: { from: ["claimed"], to: "cancelled", slot: "none", claimed: true },
  /** A slot was reserved for the job: it holds it from here on, before any instance exists. */
  launching: { from: ["claimed"], to: "launching", slot: "hold", claimed: true },
  /** EC2 launched its instance (written together with the instance's item). */
  launched: { from: ["launching"], to: "launched", slot: "none" },
  /** Its runner's JIT config is stored; the runner may start. */
  registered: { from: ["launched"], to: "registered", slot: "none" },
  /** The launch or the registration failed: the job goes back to the queue, its slot back to the pool. */
  returned: { from: WAITING, to: "pending", slot: "release" },
  /** GitHub says a runner started it. */
  started: { from: NOT_STARTED, to: "running", slot: "none" },
  /** GitHub says it completed. */
  completed: { from: NOT_COMPLETED, to: "completed", slot: "release" },
  /** Its runner is gone and its completion never came: the reconcile closes it. */
  finished: { from: ["running"], to: "completed", slot: "release" },
  /** Its instance never took it: back on the queue. */
  requeued: { from: REQUEUEABLE, to: "pending", slot: "release" },
  /** Its instances never took it, too often: skiff gives up (DLQ). */
  failed: { from: REQUEUEABLE, to: "failed", slot: "release" },
  /** Its runner took another job: it gives that job its slot and goes back to the queue. */
  handedOver: { from: WAITING, to: "pending", slot: "give" },
  /** It started on a runner launched for another job and takes that job's slot. */
  tookOver: { from: NOT_STARTED, to: "same", slot: "take" },
  /** An idle warm runner was set aside for it: it is registered on it and takes its slot. */
  adopted: { from: ["claimed"], to: "registered", slot: "take", claimed: true },
  /** It started elsewhere: the warm runner set aside for it gets its slot back and waits again. */
  gaveBack: { from: NOT_COMPLETED, to: "same", slot: "give" },
  /** A spot interruption warning hit the instance it runs on or waits for. */
  interrupted: { from: NOT_COMPLETED, to: "same", slot: "none" },
  /** The requeue's message is out. */
  sentPending: { from: ["pending"], to: "same", slot: "none" },
  /** The give-up's DLQ message is out. */
  sentFailed: { from: ["failed"], to: "same", slot: "none" },
} as const satisfies Record<string, JobTransition>;

export type JobTransitionName = keyof typeof JOB_TRANSITIONS;

export interface InstanceTransition {
  from: readonly InstanceStatus[];
  to: InstanceStatus | "same";
}

/** Every way an instance's item may change after scale-up recorded it (`launched`). */
export const INSTANCE_TRANSITIONS = {
  /** A warm runner joins its pool's idle runners, holding a slot. */
  warmed: { from: [], to: "launched" },
  /** An idle warm runner is set aside for a job (its slot passes to the job). */
  adopted: { from: ["launched"], to: "same" },
  /** A warm runner set aside for a job is given back and waits again (the slot returns). */
  unadopted: { from: ["launched"], to: "same" },
  /** An idle warm runner leaves service (surplus, too old, gone): its slot returns to the pool. */
  retired: { from: INSTANCE_STATUSES, to: "same" },
  /** Its runner's registration id, for clean-up. */
  registered: { from: ["launched", "busy", "done"], to: "same" },
  /** A job started on it: it is busy and safe until its max lifetime. */
  started: { from: ["launched"], to: "busy" },
  /** Its job completed: it powers off. */
  done: { from: ["launched", "busy"], to: "done" },
  /** A spot interruption warning. */
  interrupted: { from: INSTANCE_STATUSES, to: "same" },
  /** EC2 says it went down. */
  gone: { from: INSTANCE_STATUSES, to: "gone" },
} as const satisfies Record<string, InstanceTransition>;

export type InstanceTransitionName = keyof typeof INSTANCE_TRANSITIONS;

/** Whether a job in `status` may make transition `name` (the store's condition, for reads). */
export function allows(name: JobTransitionName, status: JobStatus | undefined): boolean {
  const from: readonly string[] = JOB_TRANSITIONS[name].from;
  return status !== undefined && from.includes(status);
}
