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

/** A job id as planning makes it: letters, digits and '-' (no separators, no '.', so never '..'). */
const JOB_ID_RE = /^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/;

/** The job's folder `DIR/jobs/<id>`; an id that is not a planned one's shape is refused (it could leave DIR). */
export function jobDir(dir: string, job: Job): string {
  if (typeof job.id !== "string" || !JOB_ID_RE.test(job.id)) throw new ConfigError(`${join(dir, PLAN_FILE)}: job id ${JSON.stringify(String(job.id)).slice(0, 80)} is not a job id (letters, digits and '-')`);
  return join(dir, "jobs", job.id);
}

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

/**
 * Reads DIR/plan.json and checks it as strictly as planning did: its sweep is expanded again, and the job list
 * on disk must be exactly that expansion (ids, configs, axes), so an edited or damaged plan (a job id such as
 * `../../x`, a prototype key, an empty job) is refused in one line naming the file. Missing: a ConfigError too.
 */
export function readPlan(dir: string): Plan {
  const path = join(dir, PLAN_FILE);
  let p: unknown;
  try {
    p = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(code === "ENOENT" || code === "ENOTDIR" ? `${dir}: no ${PLAN_FILE} here; run \`strl sweep plan SWEEP --out ${dir}\` first` : `${path}: not a sweep plan (${(e as Error).message.split("\n")[0]})`);
  }
  const plan = p as Partial<Plan> | null;
  if (typeof plan !== "object" || plan === null || Array.isArray(plan)) throw new ConfigError(`${path}: not a sweep plan (not a JSON object)`);
  if (plan.format !== PLAN_FORMAT) throw new ConfigError(`${path}: not a sweep plan (format ${JSON.stringify(plan.format ?? null).slice(0, 60)}, expected '${PLAN_FORMAT}')`);
  if (!Array.isArray(plan.jobs)) throw new ConfigError(`${path}: damaged sweep plan (jobs is not a list)`);
  let jobs: Job[];
  try {
    jobs = expandSweep(plan.sweep, "its sweep");
  } catch (e) {
    throw new ConfigError(`${path}: damaged sweep plan: ${(e as Error).message.split("\n")[0]}`);
  }
  if (plan.name !== (plan.sweep as { name: unknown }).name) throw new ConfigError(`${path}: damaged sweep plan (name ${JSON.stringify(plan.name ?? null).slice(0, 60)} is not its sweep's)`);
  const first = jobs.findIndex((j, i) => JSON.stringify(j) !== JSON.stringify(plan.jobs![i]));
  if (first >= 0 || plan.jobs.length !== jobs.length) {
    const which = first >= 0 ? `job ${first}` : `${plan.jobs.length} jobs where its sweep plans ${jobs.length}`;
    throw new ConfigError(`${path}: damaged sweep plan (${which} is not what its sweep plans); plan the sweep again into a new folder`);
  }
  return { format: PLAN_FORMAT, name: plan.name as string, sweep: plan.sweep, jobs };
}

/** A small JSON file's value, or undefined when it is missing or not JSON (a lock or error note: advisory). */
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
  const err = readJson(join(d, "error.json")) as { message?: unknown } | undefined;
  if (err !== undefined) {
    const message = typeof err === "object" && err !== null && typeof err.message === "string" ? err.message.split("\n")[0]!.slice(0, 500) : "unknown error (error.json holds no message)";
    return { job, state: "failed", error: message };
  }
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
