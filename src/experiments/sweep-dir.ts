/**
 * A planned sweep on disk:
 *   DIR/plan.json              the sweep as given and its ordered job list (written last, atomically)
 *   DIR/jobs/<id>/job.json     one job's config
 *   DIR/jobs/<id>/result.json  written atomically when the job finished (its presence = done)
 *   DIR/jobs/<id>/error.json   the last failure ({ message }), removed when the job is run again
 *   DIR/jobs/<id>/.strl-lock   held while a process runs the job, its heartbeat refreshed (src/io/run-lock.ts)
 *   DIR/jobs/<id>/run/         the training run (checkpoint/, log.jsonl): a killed job resumes from it
 *   DIR/cache/                 datasets and reference returns shared by jobs (sweep-cache.ts)
 * Planning again with the same sweep is a no-op; another sweep in the same folder is an error.
 * A job is running while its lock is held, stale when the lock's process is gone or its heartbeat is older than
 * the timeout (STRL_LOCK_TIMEOUT_S, default 120 s): the next run of it takes the lock over and resumes.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../config/index.js";
import { acquireRunLock, describeLock, inspectRunLock, makeFolders, writeFileAtomic, type LockInfo, type LockOptions } from "../io/index.js";
import { expandSweep, type Job } from "./sweep.js";

export const PLAN_FILE = "plan.json";
export const PLAN_FORMAT = "strl-sweep-plan/1";

export interface Plan {
  format: string;
  name: string;
  sweep: unknown;
  jobs: Job[];
}

export type JobState = "done" | "running" | "stale" | "failed" | "pending";

/** A job id as planning makes it: letters, digits and '-' (no separators, no '.', so never '..'). */
const JOB_ID_RE = /^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/;

/** The job's folder `DIR/jobs/<id>`; an id that is not a planned one's shape is refused (it could leave DIR). */
export function jobDir(dir: string, job: Job): string {
  if (typeof job.id !== "string" || !JOB_ID_RE.test(job.id)) throw new ConfigError(`${join(dir, PLAN_FILE)}: job id ${JSON.stringify(String(job.id)).slice(0, 80)} is not a job id (letters, digits and '-')`);
  return join(dir, "jobs", job.id);
}

/**
 * Expands `sweep` and writes the plan and one folder per job into `dir`; returns the plan. Planning the same
 * sweep again (the same name and jobs) is a no-op. Refused in one line, writing nothing: a folder that holds the
 * plan of another sweep (another name, or other jobs), a plan that does not read, job folders that are not this
 * sweep's, or a `strl reproduce` folder (its sweep is in `sweep/`). Planning holds the folder's lock, so two
 * plans into one folder cannot interleave.
 */
export function planSweep(sweep: unknown, dir: string, where = "sweep"): Plan {
  const jobs = expandSweep(sweep, where);
  const name = (sweep as { name: string }).name;
  const plan: Plan = { format: PLAN_FORMAT, name, sweep, jobs };
  const path = join(dir, PLAN_FILE);
  const nested = join(dir, "sweep", PLAN_FILE);
  if (existsSync(nested)) throw new ConfigError(`${dir} holds a strl reproduce report whose sweep is ${join(dir, "sweep")} (${planSummary(join(dir, "sweep"))}); choose another --out`);
  const lock = acquireRunLock(dir);
  try {
    if (existsSync(path)) return samePlan(dir, plan);
    const ids = new Set(jobs.map((j) => j.id));
    const foreign = listFolder(join(dir, "jobs")).find((e) => !ids.has(e));
    if (foreign !== undefined) throw new ConfigError(`${join(dir, "jobs")} holds '${foreign.slice(0, 80)}', which is not a job of sweep '${name}' (another sweep's, or not a sweep's); choose another --out`);
    for (const job of jobs) {
      const d = jobDir(dir, job);
      makeFolders(d);
      writeFileAtomic(join(d, "job.json"), `${JSON.stringify({ index: job.index, id: job.id, axes: job.axes, config: job.config }, null, 1)}\n`);
    }
    writeFileAtomic(path, `${JSON.stringify(plan, null, 1)}\n`);
    return plan;
  } finally {
    lock.release();
  }
}

/** The plan already in `dir` when it is `plan`'s sweep (same name, same jobs); else a one-line ConfigError. */
function samePlan(dir: string, plan: Plan): Plan {
  let old: Plan;
  try {
    old = readPlan(dir);
  } catch (e) {
    throw new ConfigError(`${dir} already holds a sweep plan that does not read (${(e as Error).message.split("\n")[0]}); choose another --out`);
  }
  const n = (k: number): string => `${k} job${k === 1 ? "" : "s"}`;
  if (old.name !== plan.name) throw new ConfigError(`${dir} already holds the plan of sweep '${old.name}' (${n(old.jobs.length)}), not of '${plan.name}'; choose another --out`);
  const differs = plan.jobs.findIndex((j, i) => JSON.stringify(j) !== JSON.stringify(old.jobs[i]));
  if (differs >= 0 || old.jobs.length !== plan.jobs.length) {
    const which = differs >= 0 ? `job ${differs} differs` : `it has ${old.jobs.length - plan.jobs.length} more`;
    throw new ConfigError(`${dir} already holds another plan of sweep '${old.name}' (${n(old.jobs.length)}; this one plans ${n(plan.jobs.length)}, ${which}); choose another --out`);
  }
  return old;
}

/** "sweep 'reproduce-small', 120 jobs", or why the plan in `dir` does not read. */
function planSummary(dir: string): string {
  try {
    const p = readPlan(dir);
    return `sweep '${p.name}', ${p.jobs.length} jobs`;
  } catch (e) {
    return (e as Error).message.split("\n")[0]!;
  }
}

/** Refuses `dir` as the --out of `strl reproduce` when it is a sweep's folder (it holds a plan.json). */
export function refuseSweepFolder(dir: string): void {
  if (existsSync(join(dir, PLAN_FILE))) throw new ConfigError(`${dir} is the folder of a planned sweep (${planSummary(dir)}); strl reproduce plans into OUT/sweep of its own --out: choose another --out`);
}

function listFolder(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
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

/** A small JSON file's value, or undefined when it is missing or not JSON (an error note: advisory). */
function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

export interface JobStatus {
  job: Job;
  state: JobState;
  /** The last error line of a failed job. */
  error?: string;
  /** A running or stale job's lock, as judged now. */
  lock?: LockInfo;
}

/**
 * A job's state: done (result.json), running (its lock is held: a live process, a fresh heartbeat), stale (its
 * lock's process is gone or its heartbeat is older than the timeout: the next run takes it over and resumes from
 * its checkpoint), failed (error.json) or pending.
 */
export function jobStatus(dir: string, job: Job, o: LockOptions = {}): JobStatus {
  const d = jobDir(dir, job);
  if (existsSync(join(d, "result.json"))) return { job, state: "done" };
  const lock = inspectRunLock(d, o);
  if (lock.state === "held") return { job, state: "running", lock };
  if (lock.state === "stale") return { job, state: "stale", lock };
  const err = readJson(join(d, "error.json")) as { message?: unknown } | undefined;
  if (err !== undefined) {
    const message = typeof err === "object" && err !== null && typeof err.message === "string" ? err.message.split("\n")[0]!.slice(0, 500) : "unknown error (error.json holds no message)";
    return { job, state: "failed", error: message };
  }
  return { job, state: "pending" };
}

/**
 * "running: pid 12 on host node7, started ..., heartbeat 3s ago", "stale (heartbeat 300s ago, over the 120s
 * timeout): pid 12 on host node7, started ...", "stale (process 12 on this host is gone): ...".
 */
export function lockLine(s: JobStatus): string {
  const l = s.lock;
  if (!l) return s.state;
  if (s.state === "running") return `running: ${describeLock(l)}`;
  return `stale (${l.why})${l.owner ? `: ${describeLock(l, false)}` : ""}`;
}

export interface SweepStatus {
  counts: Record<JobState, number>;
  jobs: JobStatus[];
}

export function sweepStatus(dir: string, o: LockOptions = {}): SweepStatus {
  const plan = readPlan(dir);
  const jobs = plan.jobs.map((j) => jobStatus(dir, j, o));
  const counts: Record<JobState, number> = { done: 0, running: 0, stale: 0, failed: 0, pending: 0 };
  for (const j of jobs) counts[j.state]++;
  return { counts, jobs };
}

/** States a run starts: pending, failed and stale jobs. */
export const RUNNABLE: ReadonlySet<JobState> = new Set(["pending", "failed", "stale"]);

/** Jobs still to run (not done, not running elsewhere): pending, failed and stale ones, in plan order. */
export function unfinishedJobs(dir: string): Job[] {
  return sweepStatus(dir).jobs.filter((s) => RUNNABLE.has(s.state)).map((s) => s.job);
}
