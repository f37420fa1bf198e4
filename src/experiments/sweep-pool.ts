/**
 * Running a sweep's unfinished jobs on this machine: N worker slots, each job in its own child process
 * (`<node> <cli> sweep run DIR --index K`), so a job sees exactly what it would see under Slurm and a crash ends
 * one job only. Each child gets STRL_THREADS = max(1, floor(cores / N)) (unless the caller set STRL_THREADS),
 * so N workers x threads never exceed the cores; the native engine's pool reads it at start. A child's output
 * goes to `jobs/<id>/output.log`; a failed job is reported and the others go on.
 *
 * Two runners may share a folder: a job another process holds (at the start, or when its turn comes, or lost
 * to it by a child) is "skipped (running elsewhere)", not failed. SIGINT / SIGTERM to the runner is forwarded to
 * its workers, which save a checkpoint and exit; no new job starts, and `runPool` returns (with `signal` set)
 * only after every worker has ended, so no worker outlives its runner.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { availableParallelism, constants } from "node:os";
import { join } from "node:path";
import { describeLock } from "../io/index.js";
import { jobDir, jobStatus, readPlan, RUNNABLE } from "./sweep-dir.js";

export interface PoolOptions {
  dir: string;
  /** Worker processes (default: the number of cores). */
  jobs?: number;
  /** The `strl` CLI script the children run (dist/src/cli/main.js). */
  cli: string;
  log?: (line: string) => void;
  /** Extra arguments of every child's `strl sweep run DIR --index K` (e.g. --tensorboard). */
  args?: string[];
  /** Extra environment for the children. */
  env?: NodeJS.ProcessEnv;
  /** Forward SIGINT and SIGTERM to the workers (default true). */
  forwardSignals?: boolean;
}

export interface PoolResult {
  ran: number[];
  failed: Array<{ index: number; error: string }>;
  /** Jobs that were done before this run. */
  skipped: number;
  /** Jobs another process held (or finished) instead of this runner: not failures. */
  elsewhere: number[];
  /** Jobs stopped by a forwarded signal (checkpoint kept; the next run resumes them). */
  stopped: number[];
  /** The signal that stopped this run, if one did. */
  signal?: NodeJS.Signals;
}

export function threadsPerWorker(workers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, workers)));
}

/** The exit code of a process stopped by `signal`: 128 + its number (SIGINT 130, SIGTERM 143). */
export const signalExitCode = (signal: NodeJS.Signals): number => 128 + (constants.signals[signal] ?? 1);

/** What forwarding needs of a child process. */
export interface Signalable {
  readonly pid?: number;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal: NodeJS.Signals): boolean;
}

/** Sends `signal` to every child still running; returns the pids it was sent to. */
export function forwardSignal(children: Iterable<Signalable>, signal: NodeJS.Signals): number[] {
  const sent: number[] = [];
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    if (c.kill(signal)) sent.push(c.pid ?? -1);
  }
  return sent;
}

function runChild(o: PoolOptions, index: number, logFile: string, threads: number, live: Set<ChildProcess>): Promise<number> {
  const fd = openSync(logFile, "a");
  return new Promise<number>((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...o.env };
    if (process.env.STRL_THREADS === undefined && o.env?.STRL_THREADS === undefined) env.STRL_THREADS = String(threads);
    delete env.SLURM_ARRAY_TASK_ID; // the index is explicit
    delete env.JOB_COMPLETION_INDEX;
    const child = spawn(process.execPath, [o.cli, "sweep", "run", o.dir, "--index", String(index), ...(o.args ?? [])], { stdio: ["ignore", fd, fd], env });
    live.add(child);
    const done = (code: number): void => {
      live.delete(child);
      resolve(code);
    };
    child.on("error", () => done(1));
    child.on("exit", (code, signal) => done(code ?? (signal ? signalExitCode(signal) : 1)));
  }).finally(() => closeSync(fd));
}

/** Runs every job that is neither done nor running elsewhere, `jobs` at a time, in plan order. */
export async function runPool(o: PoolOptions): Promise<PoolResult> {
  const plan = readPlan(o.dir);
  const workers = Math.max(1, o.jobs ?? availableParallelism());
  const threads = threadsPerWorker(workers);
  const say = (l: string): void => o.log?.(l);
  const statuses = plan.jobs.map((j) => jobStatus(o.dir, j));
  const todo = statuses.filter((s) => RUNNABLE.has(s.state)).map((s) => s.job);
  const result: PoolResult = { ran: [], failed: [], skipped: statuses.filter((s) => s.state === "done").length, elsewhere: [], stopped: [] };
  for (const s of statuses) {
    if (s.state !== "running") continue;
    result.elsewhere.push(s.job.index);
    say(`job ${s.job.index} (${s.job.id}) skipped (running elsewhere: ${describeLock(s.lock!)})`);
  }
  say(`${todo.length} of ${plan.jobs.length} jobs to run, ${workers} at a time, ${process.env.STRL_THREADS ?? threads} engine thread(s) each`);

  const live = new Set<ChildProcess>();
  const onSignal = (signal: NodeJS.Signals): void => {
    const again = result.signal !== undefined;
    result.signal ??= signal;
    const pids = forwardSignal(live, signal);
    say(`${signal}${again ? " again" : ""}: forwarded to ${pids.length} worker(s)${pids.length ? ` (pid ${pids.join(", ")})` : ""}; ${again ? "they quit without saving" : "no new job starts; waiting for them to save a checkpoint and exit"}`);
  };
  const onExit = (): void => void forwardSignal(live, "SIGTERM"); // the runner ending early never leaves a worker behind
  if (o.forwardSignals !== false) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  process.on("exit", onExit);

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length && result.signal === undefined) {
      const job = todo[next++]!;
      const now = jobStatus(o.dir, job); // another runner may have taken or finished it since the start
      if (!RUNNABLE.has(now.state)) {
        result.elsewhere.push(job.index);
        say(`job ${job.index} (${job.id}) skipped (${now.state === "done" ? "done elsewhere" : `running elsewhere: ${describeLock(now.lock!)}`})`);
        continue;
      }
      say(`job ${job.index} (${job.id}) ${now.state === "stale" ? "taken over and " : ""}started`);
      const code = await runChild(o, job.index, join(jobDir(o.dir, job), "output.log"), threads, live);
      const st = jobStatus(o.dir, job);
      if (code === 0 && st.state === "done") {
        result.ran.push(job.index);
        say(`job ${job.index} (${job.id}) done`);
      } else if (result.signal !== undefined && st.state !== "done") {
        result.stopped.push(job.index);
        say(`job ${job.index} (${job.id}) stopped (exit code ${code}); the next run resumes it`);
      } else if (st.state === "running" || st.state === "done") {
        // The child found (or lost) the job's lock to another process, which runs or ran it.
        result.elsewhere.push(job.index);
        say(`job ${job.index} (${job.id}) skipped (${st.state === "done" ? "done elsewhere" : `running elsewhere: ${describeLock(st.lock!)}`})`);
      } else {
        const byOne = code === signalExitCode("SIGINT") || code === signalExitCode("SIGTERM");
        const error = st.error ?? (byOne ? `stopped by a signal to the worker (exit code ${code}); the next run resumes it` : `exit code ${code}`);
        result.failed.push({ index: job.index, error });
        say(`job ${job.index} (${job.id}) failed: ${error}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(workers, todo.length) }, worker));
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("exit", onExit);
  }
  result.ran.sort((a, b) => a - b);
  result.failed.sort((a, b) => a.index - b.index);
  result.elsewhere.sort((a, b) => a - b);
  result.stopped.sort((a, b) => a - b);
  return result;
}
