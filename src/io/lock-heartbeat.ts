/**
 * The heartbeat of a held run lock (src/io/run-lock.ts): every `intervalMs` the lock file is rewritten with
 * `heartbeat` = now, from a worker thread, so a main thread that is busy for minutes (a long synchronous data
 * collection, one slow update) still beats: a stale heartbeat means the process is gone or stopped, never busy.
 * Each beat first reads the lock and stops for good when it is no longer this owner's (taken over after a stale
 * heartbeat, or removed by `strl sweep unlock --force`), so a beat never overwrites another process's lock.
 * The worker and `stop()` share a mutex (Atomics), so no beat can rewrite the lock after `stop()` returned.
 * Where no worker thread can be started, the beats run on an unref'd timer of the main thread.
 * This file is both the module and the worker's script.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { Worker, isMainThread, workerData } from "node:worker_threads";

/** What a lock file holds (times in ms since the epoch). */
export interface LockContent {
  pid: number;
  host: string;
  started: number;
  heartbeat: number;
  token: string;
}

export type BeatOutcome = "beat" | "lost" | "error";

/** Rewrites `path`'s heartbeat (through `tmp` and a rename) while the lock there is `owner`'s. */
export function beatOnce(path: string, tmp: string, owner: LockContent, now = Date.now()): BeatOutcome {
  let current: unknown;
  try {
    current = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    // Gone or not JSON: not this owner's lock any more. Another read error (an NFS hiccup): try next time.
    return (e as NodeJS.ErrnoException).code === "ENOENT" || e instanceof SyntaxError ? "lost" : "error";
  }
  if (typeof current !== "object" || current === null || (current as { token?: unknown }).token !== owner.token) return "lost";
  try {
    writeFileSync(tmp, JSON.stringify({ ...owner, heartbeat: now }));
    renameSync(tmp, path);
    return "beat";
  } catch {
    rmSync(tmp, { force: true });
    return "error"; // disk full or the like: the next beat tries again
  }
}

/** Slots of the shared Int32Array: the mutex, the stop flag and the lost flag. */
const MUTEX = 0;
const STOP = 1;
const LOST = 2;

interface BeatJob {
  path: string;
  tmp: string;
  owner: LockContent;
  intervalMs: number;
  shared: SharedArrayBuffer;
}

/** One beat under the mutex; a busy mutex (stop() is running) skips it. Returns false once beating is over. */
function tick(job: BeatJob): boolean {
  const s = new Int32Array(job.shared);
  if (Atomics.compareExchange(s, MUTEX, 0, 1) !== 0) return true;
  try {
    if (Atomics.load(s, STOP) === 1 || Atomics.load(s, LOST) === 1) return false;
    if (beatOnce(job.path, job.tmp, job.owner) === "lost") {
      Atomics.store(s, LOST, 1);
      return false;
    }
    return true;
  } finally {
    Atomics.store(s, MUTEX, 0);
    Atomics.notify(s, MUTEX);
  }
}

function beatEvery(job: BeatJob, unref: boolean): ReturnType<typeof setInterval> {
  const timer = setInterval(() => {
    if (!tick(job)) clearInterval(timer);
  }, job.intervalMs);
  if (unref) timer.unref();
  return timer;
}

export interface Heartbeat {
  /** Stops beating; after it returns, no beat rewrites the lock. */
  stop(): void;
  /** True once a beat found the lock no longer this owner's. */
  lost(): boolean;
}

/** Starts beating `path` for `owner` every `intervalMs` (writes go through `tmp`). */
export function startHeartbeat(path: string, tmp: string, owner: LockContent, intervalMs: number): Heartbeat {
  const job: BeatJob = { path, tmp, owner, intervalMs, shared: new SharedArrayBuffer(12) };
  const s = new Int32Array(job.shared);
  let worker: Worker | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    worker = new Worker(new URL(import.meta.url), { workerData: { strlLockHeartbeat: job } });
    worker.on("error", () => {
      // The worker died (it should not): beat from the main thread instead.
      if (Atomics.load(s, STOP) === 0 && timer === undefined) timer = beatEvery(job, true);
    });
    worker.unref();
  } catch {
    timer = beatEvery(job, true);
  }
  return {
    stop() {
      // Wait (at most 2 s: one beat is a read, a write and a rename) for a beat in progress to end.
      const deadline = Date.now() + 2000;
      while (Atomics.compareExchange(s, MUTEX, 0, 1) !== 0 && Date.now() < deadline) Atomics.wait(s, MUTEX, 1, 20);
      Atomics.store(s, STOP, 1);
      Atomics.store(s, MUTEX, 0);
      Atomics.notify(s, MUTEX);
      if (timer !== undefined) clearInterval(timer);
      void worker?.terminate();
    },
    lost: () => Atomics.load(s, LOST) === 1,
  };
}

// As the worker's script: beat until stopped (the worker keeps itself alive; the main thread unref'd it).
if (!isMainThread && (workerData as { strlLockHeartbeat?: BeatJob } | null)?.strlLockHeartbeat) {
  beatEvery((workerData as { strlLockHeartbeat: BeatJob }).strlLockHeartbeat, false);
}
