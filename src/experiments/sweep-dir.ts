/**
 * A planned sweep on disk:
 *   DIR/plan.json              the sweep as given and its ordered job list (written last, atomically)
 *   DIR/jobs/<id>/job.json     one job's config
 *   DIR/jobs/<id>/result.json  written atomically when the job finished (its presence = done)
 *   DIR/jobs/<id>/error.json   the last failure ({ message }), removed when the job is run again
 *   DIR/jobs/<id>/.strl-lock   held while a process runs the job (src/io/run-lock.ts)
 *   DIR/jobs/<id>/run/         the training run (checkpoint/, log.jsonl): a killed job resumes from it
 *   DIR/cache/                 datasets and reference returns shared by jobs (sweep-cache.ts)
 * Planning again with the same sweep is a no-op; another sweep in the same folder is an error.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../config/index.js";
import { LOCK_FILE, processAlive, writeFileAtomic, withFsErrors } from "../io/index.js";
import { expandSweep, type Job } from "./sweep.js";

export const PLAN_FILE = "plan.json";
export const PLAN_FORMAT = "strl-sweep-plan/1";

export interface Plan {
  format: string;
  name: string;
  sweep: unknown;
  jobs: Job[];
}

export type JobState = "done" | "running" | "failed" | "pending";

export const jobDir = (dir: string, job: Job): string => join(dir, "jobs", job.id);

/** Expands `sweep` and writes the plan and one folder per job into `dir`; returns the plan. */
export function planSweep(sweep: unknown, dir: string, where = "sweep"): Plan {
  const jobs = expandSweep(sweep, where);
  const plan: Plan = { format: PLAN_FORMAT, name: (sweep as { name: string }).name, sweep, jobs };
  const text = `${JSON.stringify(plan, null, 1)}\n`;
  const path = join(dir, PLAN_FILE);
  if (existsSync(path)) {
    if (readFileSync(path, "utf8") === text) return plan;
    throw new ConfigError(`${dir} already holds another sweep's plan; choose another --out`);
  }
  for (const job of jobs) {
    const d = jobDir(dir, job);
    withFsErrors(d, () => mkdirSync(d, { recursive: true }));
    writeFileAtomic(join(d, "job.json"), `${JSON.stringify({ index: job.index, id: job.id, axes: job.axes, config: job.config }, null, 1)}\n`);
  }
  writeFileAtomic(path, text);
  return plan;
}

/** Reads DIR/plan.json; a ConfigError when it is missing or not a plan. */
export function readPlan(dir: string): Plan {
  const path = join(dir, PLAN_FILE);
  let p: Plan;
  try {
    p = JSON.parse(readFileSync(path, "utf8")) as Plan;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(code === "ENOENT" || code === "ENOTDIR" ? `${dir}: no ${PLAN_FILE} here; run \`strl sweep plan SWEEP --out ${dir}\` first` : `${path}: not a sweep plan (${(e as Error).message.split("\n")[0]})`);
  }
  if (p?.format !== PLAN_FORMAT || !Array.isArray(p.jobs)) throw new ConfigError(`${path}: not a sweep plan (format '${String(p?.format)}', expected '${PLAN_FORMAT}')`);
  return p;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

/** True while a live process (or one on another host, which cannot be checked) holds the job's lock. */
function lockHeld(d: string): boolean {
  const owner = readJson(join(d, LOCK_FILE)) as { pid?: number; host?: string } | undefined;
  if (!owner || typeof owner.pid !== "number") return false;
  return owner.host !== hostname() || processAlive(owner.pid);
}

export interface JobStatus {
  job: Job;
  state: JobState;
  /** The last error line of a failed job. */
  error?: string;
}

export function jobStatus(dir: string, job: Job): JobStatus {
  const d = jobDir(dir, job);
  if (existsSync(join(d, "result.json"))) return { job, state: "done" };
  if (lockHeld(d)) return { job, state: "running" };
  const err = readJson(join(d, "error.json")) as { message?: string } | undefined;
  if (err) return { job, state: "failed", error: String(err.message ?? "unknown error") };
  return { job, state: "pending" };
}

export interface SweepStatus {
  counts: Record<JobState, number>;
  jobs: JobStatus[];
}

export function sweepStatus(dir: string): SweepStatus {
  const plan = readPlan(dir);
  const jobs = plan.jobs.map((j) => jobStatus(dir, j));
  const counts: Record<JobState, number> = { done: 0, running: 0, failed: 0, pending: 0 };
  for (const j of jobs) counts[j.state]++;
  return { counts, jobs };
}

/** Jobs still to run (not done, not running): pending and failed ones, in plan order. */
export function unfinishedJobs(dir: string): Job[] {
  return sweepStatus(dir).jobs.filter((s) => s.state === "pending" || s.state === "failed").map((s) => s.job);
}
