/**
 * `strl sweep unlock`: an operator removes the locks of a job whose process is gone, so the next run takes it
 * at once instead of after the heartbeat timeout. A job has two locks: its folder's (`jobs/<id>/.strl-lock`, the
 * job's process) and its training run's (`jobs/<id>/run/.strl-lock`). A lock whose heartbeat is fresh (a live
 * owner, as far as anyone can tell) is left alone unless forced; a folder or link in a lock's place is never
 * removed (it is not strl's). Each removed lock is described first: whose it was, its start and heartbeat.
 */
import { join } from "node:path";
import { ConfigError } from "../config/index.js";
import { describeLock, inspectRunLock, lockTimeoutS, removeRunLock, type LockInfo, type LockOptions } from "../io/index.js";
import { jobDir, readPlan } from "./sweep-dir.js";
import type { Job } from "./sweep.js";

/** The folders whose locks belong to a job: the job's own and its training run's. */
export const jobLockDirs = (dir: string, job: Job): string[] => [jobDir(dir, job), join(jobDir(dir, job), "run")];

export interface Unlocked {
  job: Job;
  /** The lock as it was judged just before it was removed. */
  lock: LockInfo;
}

/** "job 3 (0003-cp-strl-s0): removed .../.strl-lock of pid 12 on host node7, ... (stale: heartbeat 300s ago, ...)". */
export function unlockedLine(u: Unlocked): string {
  const whose = u.lock.owner ? `of ${describeLock(u.lock)}` : `(${u.lock.why})`;
  const state = u.lock.state === "stale" ? `stale: ${u.lock.why}` : "its heartbeat was fresh: removed by --force";
  return `job ${u.job.index} (${u.job.id}): removed ${u.lock.path} ${whose}${u.lock.owner ? ` (${state})` : ""}`;
}

/**
 * Removes job `index`'s locks. Refused (a ConfigError, nothing removed) when one is held with a fresh heartbeat
 * and `force` is not set, or when a lock's place holds something that is not a lock.
 */
export function unlockJob(dir: string, index: number, force: boolean, o: LockOptions = {}): Unlocked[] {
  const plan = readPlan(dir);
  const job = plan.jobs[index];
  if (!job) throw new RangeError(`--index ${index}: the plan in ${dir} has jobs 0..${plan.jobs.length - 1}`);
  const locks = jobLockDirs(dir, job).map((d) => inspectRunLock(d, o)).filter((l) => l.state !== "free");
  const timeout = o.timeoutS ?? lockTimeoutS();
  for (const l of locks) {
    if (l.foreign) throw new ConfigError(`job ${index} (${job.id}): ${l.why}`);
    if (l.state === "held" && !force) {
      const what = l.owner ? `held by ${describeLock(l)} (a live process, or a heartbeat under the ${timeout}s timeout)` : `locked: ${l.why}`;
      throw new ConfigError(`job ${index} (${job.id}) is ${what}: it may be running; --force removes the lock anyway`);
    }
  }
  return locks.filter((l) => removeRunLock(l)).map((lock) => ({ job, lock }));
}

/** Removes every stale lock of the sweep's jobs (fresh ones stay); returns what was removed, in plan order. */
export function unlockStale(dir: string, o: LockOptions = {}): Unlocked[] {
  const out: Unlocked[] = [];
  for (const job of readPlan(dir).jobs) {
    for (const d of jobLockDirs(dir, job)) {
      const lock = inspectRunLock(d, o);
      if (lock.state === "stale" && removeRunLock(lock)) out.push({ job, lock });
    }
  }
  return out;
}
