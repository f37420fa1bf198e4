/**
 * Running a sweep's unfinished jobs on this machine: N worker slots, each job in its own child process
 * (`<node> <cli> sweep run DIR --index K`), so a job sees exactly what it would see under Slurm and a crash ends
 * one job only. Each child gets STRL_THREADS = max(1, floor(cores / N)) (unless the caller set STRL_THREADS),
 * so N workers x threads never exceed the cores; the native engine's pool reads it at start. A child's output
 * goes to `jobs/<id>/output.log`; a failed job is reported and the others go on.
 */
import { spawn } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { jobDir, jobStatus, readPlan, RUNNABLE } from "./sweep-dir.js";

export interface PoolOptions {
  dir: string;
  /** Worker processes (default: the number of cores). */
  jobs?: number;
  /** The `strl` CLI script the children run (dist/src/cli/main.js). */
  cli: string;
  log?: (line: string) => void;
  /** Extra environment for the children. */
  env?: NodeJS.ProcessEnv;
}

export interface PoolResult {
  ran: number[];
  failed: Array<{ index: number; error: string }>;
  skipped: number;
}

export function threadsPerWorker(workers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, workers)));
}

function runChild(o: PoolOptions, index: number, logFile: string, threads: number): Promise<number> {
  const fd = openSync(logFile, "a");
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...o.env };
    if (process.env.STRL_THREADS === undefined && o.env?.STRL_THREADS === undefined) env.STRL_THREADS = String(threads);
    delete env.SLURM_ARRAY_TASK_ID; // the index is explicit
    delete env.JOB_COMPLETION_INDEX;
    const child = spawn(process.execPath, [o.cli, "sweep", "run", o.dir, "--index", String(index)], { stdio: ["ignore", fd, fd], env });
    child.on("error", () => resolve(1));
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  }).finally(() => closeSync(fd)) as Promise<number>;
}

/** Runs every job that is neither done nor running (pending, failed, stale), `jobs` at a time, in plan order. */
export async function runPool(o: PoolOptions): Promise<PoolResult> {
  const plan = readPlan(o.dir);
  const workers = Math.max(1, o.jobs ?? availableParallelism());
  const threads = threadsPerWorker(workers);
  const todo = plan.jobs.filter((j) => RUNNABLE.has(jobStatus(o.dir, j).state)); // stale jobs are taken over
  const result: PoolResult = { ran: [], failed: [], skipped: plan.jobs.length - todo.length };
  o.log?.(`${todo.length} of ${plan.jobs.length} jobs to run, ${workers} at a time, ${process.env.STRL_THREADS ?? threads} engine thread(s) each`);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const job = todo[next++]!;
      const d = jobDir(o.dir, job);
      o.log?.(`job ${job.index} (${job.id}) started`);
      const code = await runChild(o, job.index, join(d, "output.log"), threads);
      const st = jobStatus(o.dir, job);
      if (code === 0 && st.state === "done") {
        result.ran.push(job.index);
        o.log?.(`job ${job.index} (${job.id}) done`);
      } else {
        const error = st.error ?? `exit code ${code}`;
        result.failed.push({ index: job.index, error });
        o.log?.(`job ${job.index} (${job.id}) failed: ${error}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, todo.length) }, worker));
  result.ran.sort((a, b) => a - b);
  result.failed.sort((a, b) => a.index - b.index);
  return result;
}
