/** `strl sweep plan|run|status|report|slurm|unlock`: a grid of independent jobs, run locally or on a Slurm cluster. */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseFlags, parseIntegerFlag, numberFlag, type Command, ENGINE_FLAG, ENGINE_HELP, startEngine } from "../command.js";
import { readJsonFlag } from "../flags.js";
import { UsageError, asUserError } from "../usage-error.js";
import { DEFAULT_LOCK_TIMEOUT_S, makeFolders, writeFileAtomic } from "../../io/index.js";
import { lockLine, planSweep, readPlan, sweepStatus, unfinishedJobs } from "../../experiments/sweep-dir.js";
import { runJob } from "../../experiments/sweep-job.js";
import { runPool, signalExitCode, type PoolResult } from "../../experiments/sweep-pool.js";
import { unlockedLine, unlockJob, unlockStale } from "../../experiments/sweep-unlock.js";
import { stopOnSignals } from "../train-run.js";
import { tensorboardFolder } from "../run-settings.js";
import { checkSlurmValue, slurmScript } from "../../experiments/sweep-slurm.js";
import { writeSweepReport } from "../sweep-report.js";

const CLI = fileURLToPath(new URL("../main.js", import.meta.url));

const HELP = `strl sweep — experiments as independent jobs, run locally or on a Slurm cluster

Usage:
  strl sweep plan SWEEP.json --out DIR     expand a sweep into DIR (plan.json, one folder per job)
  strl sweep run DIR --index K             run job K (default: $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX)
  strl sweep run DIR [--jobs N]            run every unfinished job with N worker processes (default: cores)
                  [--tensorboard TB]       also TensorBoard scalars, one run per job: TB/<job id>/ (seeds apart)
  strl sweep status DIR [--json]           done / running / stale / failed / pending, with each failure's error
  strl sweep unlock DIR --index K [--force] | --all-stale
                                           remove a job's locks (after saying whose they were); a lock with a
                                           fresh heartbeat is refused unless --force
  strl sweep report DIR [--out R] [--update-readme FILE] [--json]
                                           merge finished jobs into the tables and figures of strl reproduce
  strl sweep slurm DIR [--partition P] [--time T] [--cpus C] [--mem M] [--throttle N] [--print]
                                           an sbatch array script (one task per unfinished job), submitted
                                           with sbatch when it is on the PATH (else printed)
${ENGINE_HELP}

A sweep file: { "name", "base": {job config}, "axes": { "task": [...], "model": [...], "seed": [...],
"train.lr": [...] }, "exclude": [{ "model.name": "DT" }] }; job = base + one value of every axis, first axis
slowest. Job config: task { id, envId, policy, episodes, envOptions?, closedLoop?, title?, group? }, model
{ name, kind, preset?, config? }, seed, train { steps, batchSize?, lr?, warmupSteps?, evalEvery?,
checkpointEvery? }, eval { episodes }. Jobs are idempotent (a finished job is skipped, a killed one resumes from
its checkpoint); datasets shared by jobs are collected once. Each of N local workers gets STRL_THREADS =
cores / N engine threads. Shipped sweeps: sweeps/reproduce-small.json, sweeps/reproduce-paper.json.

A running job holds jobs/<id>/.strl-lock (pid, host, start, a heartbeat rewritten every 10 s). A lock is stale
when its process is gone (same host) or its heartbeat is older than STRL_LOCK_TIMEOUT_S seconds (default
${DEFAULT_LOCK_TIMEOUT_S}; a job killed on another node): status shows "stale (heartbeat Ns ago)", and the next run, slurm
or --index takes the job over and resumes it from its checkpoint (unlock does so at once). Two runners may
share a folder: a job the other holds is "skipped (running elsewhere)", not a failure. SIGINT / SIGTERM to
\`sweep run\` is forwarded to its workers, which save a checkpoint and exit; the runner then exits 130 / 143.
sweep run --tensorboard TB writes each job's log (loss, lr, grad norm, validation, firing rates) and, at its
last step, its test, closed-loop and energy-per-decision scores as TensorBoard scalars to TB/<job id>/: one run
per job, seeds apart (tensorboard --logdir TB; docs/tensorboard.md). Not for sweep slurm's array script yet.

Examples:
  strl sweep plan sweeps/reproduce-small.json --out runs/rs && strl sweep run runs/rs --jobs 2
  strl sweep slurm runs/rs --partition cpu --time 02:00:00 --cpus 4 --mem 8G --throttle 20
  strl sweep status runs/rs && strl sweep report runs/rs
  strl sweep unlock runs/rs --all-stale`;

const SUBS = ["plan", "run", "status", "report", "slurm", "unlock"];

function dirArg(positionals: string[], sub: string): string {
  if (positionals.length !== 1) throw new UsageError(`sweep ${sub} takes one folder, got ${positionals.length} arguments`);
  return positionals[0]!;
}

/** The job index from --index, else SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX; undefined when none. */
export function jobIndex(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (flag !== undefined) return parseIntegerFlag("index", flag, { min: 0 });
  for (const name of ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"]) {
    const v = env[name];
    if (v !== undefined && v !== "") {
      if (!/^[0-9]+$/.test(v)) throw new UsageError(`${name} must be a job index (decimal digits), got '${v}'`);
      return Number(v);
    }
  }
  return undefined;
}

async function plan(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { out: { type: "string" }, json: { type: "boolean" } }, true);
  const file = dirArg(positionals, "plan");
  if (!values.out) throw new UsageError("sweep plan needs --out DIR");
  const sweep = readJsonFlag("sweep", file);
  const p = await asUserError(() => planSweep(sweep, values.out!, file));
  if (values.json) console.log(JSON.stringify({ dir: values.out, jobs: p.jobs.length }));
  else console.log(`${p.jobs.length} jobs planned in ${values.out} (jobs 0..${p.jobs.length - 1}); run: strl sweep run ${values.out} --jobs N`);
  return 0;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...ENGINE_FLAG, index: { type: "string" }, jobs: { type: "string" }, json: { type: "boolean" }, tensorboard: { type: "string" } }, true);
  const dir = dirArg(positionals, "run");
  const tensorboard = values.tensorboard === undefined ? undefined : await tensorboardFolder(values.tensorboard, true);
  const log = (l: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${l}\n`);
  if (values.index !== undefined && values.jobs !== undefined) throw new UsageError("give --index K (one job) or --jobs N (all jobs), not both");
  const index = values.jobs === undefined ? jobIndex(values.index) : undefined;
  const plan = await asUserError(() => readPlan(dir));
  if (index !== undefined) {
    if (index >= plan.jobs.length) throw new UsageError(`--index ${index}: the plan in ${dir} has jobs 0..${plan.jobs.length - 1}`);
    await startEngine(values.engine);
    // SIGINT / SIGTERM (from a terminal, scancel, or forwarded by a runner): a checkpoint after this update, then exit.
    const stop = stopOnSignals(log, { repeatAfterMs: 1000 });
    let r;
    try {
      r = await runJob(dir, index, log, stop.signal, { tensorboard });
    } finally {
      stop.dispose();
    }
    if (values.json) console.log(JSON.stringify({ index, outcome: r }));
    const sig = stop.received();
    return r === "stopped" && sig ? signalExitCode(sig) : 0;
  }
  const jobs = values.jobs === undefined ? undefined : numberFlag("jobs", values.jobs, 1, { integer: true, min: 1, max: 1024 });
  const r = await runPool({ dir, jobs, cli: CLI, log, env: values.engine ? { STRL_ENGINE: values.engine } : undefined, args: tensorboard ? ["--tensorboard", tensorboard] : undefined });
  const st = sweepStatus(dir);
  if (values.json) console.log(JSON.stringify({ ran: r.ran, failed: r.failed, elsewhere: r.elsewhere, stopped: r.stopped, ...(r.signal ? { signal: r.signal } : {}), counts: st.counts }));
  else console.log(`${poolLine(r)}; now ${statusLine(st.counts)}`);
  if (r.signal) {
    log(`stopped by ${r.signal}; run \`strl sweep run ${dir}\` again to go on (stopped jobs resume from their checkpoints)`);
    return signalExitCode(r.signal);
  }
  return r.failed.length > 0 ? 1 : 0;
}

/** "ran 2, failed 0, skipped 3 (1 done, 2 running elsewhere), stopped 1". */
export function poolLine(r: PoolResult): string {
  const skipped = r.skipped + r.elsewhere.length;
  const why = r.elsewhere.length > 0 ? ` (${r.skipped} done, ${r.elsewhere.length} running elsewhere)` : "";
  return `ran ${r.ran.length}, failed ${r.failed.length}, skipped ${skipped}${why}${r.stopped.length > 0 ? `, stopped ${r.stopped.length}` : ""}`;
}

const statusLine = (c: Record<string, number>) =>
  `done ${c.done}, running ${c.running}, ${c.stale ? `stale ${c.stale}, ` : ""}failed ${c.failed}, pending ${c.pending} (of ${c.done! + c.running! + c.stale! + c.failed! + c.pending!})`;

async function status(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { json: { type: "boolean" } }, true);
  const dir = dirArg(positionals, "status");
  const st = await asUserError(() => sweepStatus(dir));
  const failures = st.jobs.filter((j) => j.state === "failed").map((j) => ({ index: j.job.index, id: j.job.id, error: j.error! }));
  const locked = st.jobs.filter((j) => j.state === "running" || j.state === "stale");
  if (values.json) {
    const lock = (j: (typeof locked)[number]) => ({ index: j.job.index, id: j.job.id, ...(j.lock?.owner ? { pid: j.lock.owner.pid, host: j.lock.owner.host } : {}), heartbeatAgeS: j.lock?.ageS ?? null, ...(j.state === "stale" ? { why: j.lock?.why } : {}) });
    console.log(
      JSON.stringify({
        counts: st.counts,
        failed: failures,
        running: locked.filter((j) => j.state === "running").map((j) => j.job.index),
        locks: { running: locked.filter((j) => j.state === "running").map(lock), stale: locked.filter((j) => j.state === "stale").map(lock) },
      }),
    );
    return 0;
  }
  console.log(statusLine(st.counts));
  for (const j of locked) console.log(`job ${j.job.index} (${j.job.id}): ${lockLine(j)}`);
  for (const f of failures) console.log(`failed: job ${f.index} (${f.id}): ${f.error}`);
  if (st.counts.stale > 0) console.log(`stale jobs are taken over by the next run (strl sweep run ${dir}); strl sweep unlock ${dir} --all-stale frees them now`);
  return 0;
}

async function unlock(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { index: { type: "string" }, "all-stale": { type: "boolean" }, force: { type: "boolean" } }, true);
  const dir = dirArg(positionals, "unlock");
  const all = values["all-stale"] === true;
  if ((values.index === undefined) === !all) throw new UsageError("sweep unlock needs --index K (one job's locks) or --all-stale (every stale lock), one of the two");
  if (all && values.force) throw new UsageError("--force goes with --index K only (--all-stale never removes a lock with a fresh heartbeat)");
  const index = values.index === undefined ? undefined : parseIntegerFlag("index", values.index, { min: 0 });
  const removed = await asUserError(() => (index === undefined ? unlockStale(dir) : unlockJob(dir, index, values.force === true)));
  for (const u of removed) console.log(unlockedLine(u));
  if (removed.length === 0) console.log(index === undefined ? `no stale lock in ${dir}` : `job ${index} holds no lock; nothing to remove`);
  return 0;
}

async function report(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...ENGINE_FLAG, out: { type: "string" }, "update-readme": { type: "string" }, json: { type: "boolean" } }, true);
  const dir = dirArg(positionals, "report");
  const plan = await asUserError(() => readPlan(dir));
  await startEngine(values.engine);
  const r = await writeSweepReport({ dir, plan, out: values.out ?? `${dir}/report`, readme: values["update-readme"], commandLine: ["strl", "sweep", "report", ...argv].join(" "), title: `strl sweep ${plan.name}`, json: values.json });
  return r.finished === 0 ? 1 : 0;
}

async function slurm(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { partition: { type: "string" }, time: { type: "string" }, cpus: { type: "string" }, mem: { type: "string" }, throttle: { type: "string" }, print: { type: "boolean" }, out: { type: "string" } },
    true,
  );
  const dir = resolve(dirArg(positionals, "slurm"));
  for (const f of ["partition", "time", "mem"] as const) asUserErrorSync(() => checkSlurmValue(f, values[f]));
  if (/\s/.test(dir)) throw new UsageError(`${dir}: a sweep folder for Slurm must have no spaces in its path (#SBATCH --output)`);
  const cpus = numberFlag("cpus", values.cpus, 1, { integer: true, min: 1, max: 4096 });
  const throttle = values.throttle === undefined ? undefined : numberFlag("throttle", values.throttle, 1, { integer: true, min: 1 });
  const plan = await asUserError(() => readPlan(dir));
  const todo = unfinishedJobs(dir).map((j) => j.index);
  if (todo.length === 0) {
    console.log(`every job of ${dir} is done or running (a live lock); nothing to submit`);
    return 0;
  }
  const script = slurmScript({ dir, name: plan.name, indices: todo, partition: values.partition, time: values.time, cpus, mem: values.mem, throttle, node: process.execPath, cli: CLI });
  const path = values.out ?? `${dir}/slurm.sbatch`;
  writeFileAtomic(path, script);
  makeFolders(`${dir}/logs`);
  const which = spawnSync("sh", ["-c", "command -v sbatch"], { encoding: "utf8" });
  if (values.print || which.status !== 0) {
    process.stdout.write(script);
    if (!values.print) process.stderr.write(`sbatch is not on the PATH; wrote ${path} (submit it with: sbatch ${path})\n`);
    return 0;
  }
  const r = spawnSync("sbatch", ["--parsable", path], { encoding: "utf8" });
  if (r.status !== 0) throw new UsageError(`sbatch ${path} failed: ${(r.stderr || r.stdout || "").trim().split("\n")[0]}`);
  const id = r.stdout.trim().split(";")[0];
  console.log(`submitted Slurm array job ${id}: ${todo.length} tasks (${path})`);
  return 0;
}

function asUserErrorSync(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export const command: Command = {
  summary: "experiments as independent jobs: plan, run (local workers or Slurm), status, report, unlock",
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === undefined || !SUBS.includes(sub)) throw new UsageError(`sweep needs a subcommand: ${SUBS.join(", ")}${sub === undefined ? "" : `; got '${sub}'`}`);
    if (sub === "plan") return plan(rest);
    if (sub === "run") return run(rest);
    if (sub === "status") return status(rest);
    if (sub === "report") return report(rest);
    if (sub === "unlock") return unlock(rest);
    return slurm(rest);
  },
};
