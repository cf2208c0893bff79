import type {
  InstanceItem,
  InstancePatch,
  JobItem,
  JobPatch,
  NewInstance,
  NewWarmInstance,
} from "../jobs/items.ts";
import type { JobMessage } from "../jobs/messages.ts";
import type { InstanceTransitionName, JobTransitionName } from "../jobs/transitions.ts";

/**
 * The outcome of a conditional write. A refusal is information: it carries the item as it
 * is now (undefined when there is none), so the caller can tell "someone else moved it"
 * from "it never existed" without another read.
 */
export type Written<T> = { ok: true } | { ok: false; current: T | undefined };

export const written = { ok: true } as const;

export interface TransitionOptions {
  now: Date;
  /** For transitions made under a claim: the claim token (the SQS message id). */
  token?: string;
  /**
   * For a transition that releases the job's slot: instances that may keep it instead, in
   * order. The first that is not down yet, holds no slot, and was launched or set aside for
   * the job (`jobId`) or ran it (`busyJobId`) takes it on its item and keeps
   * it until it goes (`InstanceStore.release`, on EC2's state change or in the reconcile);
   * when none can, the slot goes back to the pool. An instance counts against max_runners
   * until it is down, not only until its job ends.
   */
  keepOn?: readonly string[];
}

export interface JobStore {
  get(jobId: number): Promise<JobItem | undefined>;
  /**
   * Claims a job for one queue message, until `leaseUntil` (epoch ms). A job is claimable
   * when it is new, was put back, or its claim lease ran out before anything was launched.
   */
  claim(message: JobMessage, token: string, now: Date, leaseUntil: number): Promise<Written<JobItem>>;
  /** Makes transition `name` (see JOB_TRANSITIONS), with its slot effect, in one write. */
  transition(
    jobId: number,
    name: Exclude<JobTransitionName, "claim" | "launched" | "handedOver" | "tookOver">,
    patch: JobPatch,
    options: TransitionOptions,
  ): Promise<Written<JobItem>>;
  /** `launched`, together with its instance's item: both are written or neither. */
  launched(jobId: number, patch: JobPatch, instance: NewInstance, now: Date): Promise<Written<JobItem>>;
  /**
   * `handedOver` + `tookOver` in one write: `from` gives its slot to `to`. Across pools the
   * slot moves between the pools' counters, and only while `to`'s pool stays within `toMax`.
   */
  handOver(from: JobItem, to: JobItem, toMax: number, now: Date): Promise<Written<JobItem>>;
}

export interface InstanceStore {
  get(instanceId: string): Promise<InstanceItem | undefined>;
  /** Makes transition `name` (see INSTANCE_TRANSITIONS) on a recorded instance. */
  transition(
    instanceId: string,
    name: InstanceTransitionName,
    patch: InstancePatch,
    now: Date,
  ): Promise<Written<InstanceItem>>;
  /**
   * The instance leaves service: a slot its own item holds (see `WarmStore.take`) goes back
   * to the pool, once. False when it held none.
   */
  release(instanceId: string, now: Date): Promise<boolean>;
  /** Deletes a gone instance's item; a slot it held goes back first. */
  forget(instanceId: string): Promise<void>;
}

/**
 * Warm runners: instances launched for no job, registered and waiting for any job of their
 * pool. A waiting warm runner holds a pool slot and is in its pool's idle set; every change
 * below moves the slot and the set membership together with the items, in one write.
 */
export interface WarmStore {
  /** The pool's waiting warm runners (instance ids). */
  idle(pool: string): Promise<string[]>;
  /** Records a warm runner launched on a slot reserved for it: it joins the idle set. */
  record(instance: NewWarmInstance, now: Date): Promise<void>;
  /**
   * `adopted`: sets a waiting warm runner aside for a claimed job, which is registered on
   * it and takes its slot. Refused when the runner left the idle set or the claim moved.
   */
  adopt(
    jobId: number,
    token: string,
    instanceId: string,
    runnerName: string,
    now: Date,
  ): Promise<Written<JobItem>>;
  /** `gaveBack` + `unadopted`: the job started elsewhere; its runner waits again with the slot. */
  unadopt(instanceId: string, jobId: number, now: Date): Promise<Written<InstanceItem>>;
  /**
   * A waiting warm runner started a job: it leaves the idle set, and its slot passes to the
   * job. A job that already holds a slot holds it for an instance launched for it, which
   * has no job now: while that instance is live it takes this runner's slot; otherwise this
   * runner keeps it. Either way the slot stays on an instance's item until `release`.
   */
  take(instanceId: string, job: JobItem, now: Date): Promise<Written<InstanceItem>>;
  /** `retired`: a waiting warm runner leaves service; its slot goes back to the pool. */
  retire(instanceId: string, pool: string, now: Date): Promise<boolean>;
}

/** A pool's counter and its version, which every change of the counter increments. */
export interface PoolCounter {
  active: number;
  version: number;
}

export interface PoolStore {
  active(pool: string): Promise<number>;
  /** Reserves up to `wanted` slots without ever exceeding `max`; returns how many. */
  reserve(pool: string, wanted: number, max: number): Promise<number>;
  /** Gives back `n` reserved slots that no job took. */
  release(pool: string, n: number): Promise<void>;
  counters(pools: readonly string[]): Promise<Map<string, PoolCounter>>;
  /** Sets a counter computed from the truth, only if it did not change since `seen`. */
  repair(pool: string, active: number, seen: PoolCounter): Promise<boolean>;
}

export interface MarkStore {
  /** Marks a run whose jobs launch on-demand; false when it already was (re-run once). */
  markRunOnDemand(runId: number, now: Date): Promise<boolean>;
  unmarkRun(runId: number): Promise<void>;
  onDemandRuns(runIds: readonly number[]): Promise<Set<number>>;
  /** Remembers a webhook delivery asked for again; false when it already was. */
  markRedelivered(guid: string, now: Date): Promise<boolean>;
  unmarkRedelivered(guid: string): Promise<void>;
}

export interface MetaStore {
  get<T>(name: string): Promise<T | undefined>;
  /** Writes (or, with undefined, deletes) a bookkeeping record. */
  put(name: string, value: unknown): Promise<void>;
  /** Counts reconcile cycles. */
  nextCycle(): Promise<number>;
  /** Takes a named lock until `until` (epoch ms); false while someone else holds it. */
  lock(name: string, owner: string, now: Date, until: number): Promise<boolean>;
  unlock(name: string, owner: string): Promise<void>;
}

export interface Snapshot {
  jobs: JobItem[];
  instances: InstanceItem[];
}

/** skiff's state, by item kind. */
export interface State {
  jobs: JobStore;
  instances: InstanceStore;
  warm: WarmStore;
  pools: PoolStore;
  marks: MarkStore;
  meta: MetaStore;
  /** Every job and instance item, page by page: not a snapshot. */
  scan(): Promise<Snapshot>;
}
