/**
 * One sweep job, run by `strl sweep run DIR --index K` wherever the scheduler puts it: get the shared dataset
 * (and reference returns), train with checkpoints into `jobs/<id>/run/`, evaluate as `strl reproduce` does, and
 * write `result.json` atomically. Idempotent: a finished job is skipped; a job killed half-way resumes from its
 * last checkpoint (the same losses as an uninterrupted run, so the same result). A failure writes `error.json`
 * ({ message }) for `strl sweep status` and is rethrown. An aborted `signal` (SIGINT / SIGTERM to the worker)
 * stops training after the current update with a checkpoint; the job stays unfinished, with no error.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CHECKPOINT_FILES } from "../checkpoint/index.js";
import { ConfigError } from "../config/index.js";
import { acquireRunLock, describeLock, inspectRunLock, removeRunLock, RunLockedError, writeFileAtomic, type RunLock } from "../io/index.js";
import { CHECKPOINT_SUBDIR, LOG_FILE, type LogRecord } from "../train/index.js";
import { TensorBoardLog } from "../train/tensorboard.js";
import { trainingMazes } from "./evaluate.js";
import { evaluateTrained, type ModelOutcome } from "./compare.js";
import { trainOnDataset } from "./pipeline.js";
import { sharedDataset, sharedReferences } from "./sweep-cache.js";
import { jobDir, readPlan } from "./sweep-dir.js";
import { effectiveJob, type Job, type JobConfig } from "./sweep.js";
import { isLocomotionScored, ownLocomotionReferences, REFERENCE_EPISODES_PER_SEED, referenceSeeds, type ReferenceReturns } from "../eval/index.js";
import { engineInfo } from "../tensor/index.js";

export const RESULT_FILE = "result.json";
export const ERROR_FILE = "error.json";

/** What a finished job writes: its model's outcome and, for closed-loop tasks, the target and references. */
export interface JobResult {
  index: number;
  id: string;
  outcome: ModelOutcome;
  target?: number;
  references?: ReferenceReturns;
  /** The engine of the process that ran the job, e.g. "native (avx512, 1 threads)" (absent in older results). */
  engine?: string;
}

/** Reference returns: 20 episodes of the random and expert policies on each of seeds 777..781 (100 each), as `strl reproduce` measures. */
export const REFERENCE_EPISODES = REFERENCE_EPISODES_PER_SEED;
export const REFERENCE_SEEDS = referenceSeeds(777);

/** Log records without wall-clock fields: a job's history is the same however often it was resumed. */
export function deterministicHistory(records: LogRecord[]): LogRecord[] {
  return records.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith("time/") && k !== "training/steps_per_s")) as LogRecord);
}

function readLog(path: string): LogRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .map((l, i) => [l, i + 1] as const)
    .filter(([l]) => l.trim() !== "")
    .map(([l, line]) => {
      try {
        const r = JSON.parse(l) as unknown;
        if (typeof r === "object" && r !== null && !Array.isArray(r)) return r as LogRecord;
      } catch {
        /* named below */
      }
      throw new ConfigError(`${path}: line ${line} is not a log record (a JSON object)`);
    });
}

/** How `runJob` runs a job: `tensorboard`, a folder that gets one TensorBoard run per job (`<folder>/<job id>`). */
export interface JobRunOptions {
  tensorboard?: string;
}

/**
 * A finished job's scores as TensorBoard scalars at its last step, the values result.json holds: the held-out test
 * metrics, the closed-loop return and success at the first target, and the energy per decision (pJ) with its
 * MACs and SOPs.
 */
export function outcomeScalars(outcome: ModelOutcome): Array<[string, number]> {
  const out: Array<[string, number]> = [["test/loss", outcome.offline.loss]];
  if (outcome.offline.accuracy !== undefined) out.push(["test/accuracy", outcome.offline.accuracy]);
  if (outcome.offline.mse !== undefined) out.push(["test/mse", outcome.offline.mse]);
  const t = outcome.closedLoop?.targets[0];
  if (t) out.push(["closed_loop/return", t.returnMean]);
  if (t && t.successRate !== null) out.push(["closed_loop/success", t.successRate]);
  const e = outcome.energy;
  if (e) out.push(["energy/per_decision_pj", e.energyPerDecisionPj], ["energy/macs_per_decision", e.macsPerDecision], ["energy/sops_per_decision", e.sopsPerDecision]);
  return out;
}

/**
 * What `runJob` did: done (result.json written), skipped (it was done already), elsewhere (another live process
 * holds the job: not run twice) or stopped (`signal` aborted it: its checkpoint is kept and the next run resumes).
 */
export type JobOutcome = "done" | "skipped" | "elsewhere" | "stopped";

/** True when `e` is `signal`'s abort (not an error of the job). */
const isAbort = (e: unknown, signal: AbortSignal | undefined): boolean => signal?.aborted === true && (e === signal.reason || (e as Error)?.name === "AbortError");

/**
 * Runs job `index` of the sweep planned in `dir`. A stale lock (its process gone, or its heartbeat older than the
 * timeout) is taken over and the job resumes from its checkpoint; a live holder makes it "elsewhere".
 */
export async function runJob(dir: string, index: number, log: (line: string) => void = () => {}, signal?: AbortSignal, o: JobRunOptions = {}): Promise<JobOutcome> {
  const plan = readPlan(dir);
  const job = plan.jobs[index];
  if (!job) throw new RangeError(`${dir}: no job ${index}; the plan has jobs 0..${plan.jobs.length - 1}`);
  const d = jobDir(dir, job);
  if (existsSync(join(d, RESULT_FILE))) {
    log(`job ${index} (${job.id}) is done; skipped`);
    return "skipped";
  }
  let lock: RunLock;
  try {
    lock = acquireRunLock(d, { log: (l) => log(`job ${index} (${job.id}): ${l}`) }); // a second process on the same job stops here
  } catch (e) {
    if (!(e instanceof RunLockedError) || e.info?.foreign || !e.info) throw e;
    log(`job ${index} (${job.id}) skipped (running elsewhere: ${describeLock(e.info)})`);
    return "elsewhere";
  }
  const lost = (): boolean => {
    if (!lock.takenOver()) return false;
    log(`job ${index} (${job.id}) lost its lock to another process (this one's heartbeat went stale: was it suspended?); its result is left to that process`);
    return true;
  };
  try {
    if (existsSync(join(d, RESULT_FILE))) return "skipped";
    freeRunOf(lock, d, (l) => log(`job ${index} (${job.id}): ${l}`));
    rmSync(join(d, ERROR_FILE), { force: true });
    const result = await runLocked(dir, job, log, signal, o);
    if (result === "stopped") {
      log(`job ${index} (${job.id}) stopped; its checkpoint is kept and the next run resumes from it`);
      return "stopped";
    }
    if (lost()) return "elsewhere";
    writeFileAtomic(join(d, RESULT_FILE), `${JSON.stringify(result)}\n`);
    log(`job ${index} (${job.id}) done`);
    return "done";
  } catch (e) {
    if (isAbort(e, signal)) {
      log(`job ${index} (${job.id}) stopped before training`);
      return "stopped";
    }
    if (lost()) throw e;
    const message = (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
    writeFileAtomic(join(d, ERROR_FILE), `${JSON.stringify({ message, name: (e as Error)?.name ?? "Error", date: new Date().toISOString() })}\n`);
    throw e;
  } finally {
    lock.release();
  }
}

/**
 * After taking over a stale job lock: the training run's lock (`run/.strl-lock`) of the same dead owner (same
 * pid and host) goes too. Its heartbeat came from another thread and may be a few seconds younger, so it could
 * still look held, and training would then fail on the job's own leftover.
 */
function freeRunOf(lock: RunLock, d: string, log: (line: string) => void): void {
  const dead = lock.replaced?.owner;
  if (!dead) return;
  const run = inspectRunLock(join(d, "run"));
  if (run.state !== "free" && run.owner?.pid === dead.pid && run.owner.host === dead.host && removeRunLock(run)) log(`removed the training run's lock of the same process (${describeLock(run)})`);
}

async function runLocked(dir: string, job: Job, log: (line: string) => void, signal: AbortSignal | undefined, o: JobRunOptions): Promise<JobResult | "stopped"> {
  const c = job.config;
  const say = (l: string) => log(`[${job.id}] ${l}`);
  const dataset = await sharedDataset(dir, { envId: c.task.envId, envOptions: c.task.envOptions, policy: c.task.policy, episodes: c.task.episodes, seed: c.seed }, say, signal);
  const exclude = trainingMazes(dataset); // before training: a maze dataset whose mazes are unknown is refused early
  let references: ReferenceReturns | undefined;
  let target: number | undefined;
  if (c.task.closedLoop !== false) {
    references = await jobReferences(dir, c, say, signal);
    target = c.task.targetReturn ?? Math.round(references.expert * 100) / 100;
  }
  const runDir = join(jobDir(dir, job), "run");
  const resumable = existsSync(join(runDir, CHECKPOINT_SUBDIR, CHECKPOINT_FILES.trainer));
  const eff = effectiveJob(c);
  const steps = eff.train.steps;
  const train = {
    steps,
    batchSize: eff.train.batchSize ?? 32,
    seed: c.seed,
    lr: eff.train.lr ?? 1e-3,
    warmupSteps: eff.train.warmupSteps ?? Math.floor(steps / 10),
    evalEvery: eff.train.evalEvery ?? Math.max(1, Math.floor(steps / 10)),
    checkpointEvery: eff.train.checkpointEvery ?? Math.max(1, Math.floor(steps / 4)),
  };
  signal?.throwIfAborted();
  say(`${resumable ? "resuming" : "training"} ${c.model.name} (${steps} steps)`);
  const t0 = performance.now();
  const run = await trainOnDataset({
    dataset,
    kind: c.model.kind,
    preset: eff.preset,
    model: c.model.config,
    train,
    outDir: runDir,
    resumeFrom: resumable ? join(runDir, CHECKPOINT_SUBDIR) : undefined,
    output: "quiet",
    configSource: `job ${job.index} (${job.id}) model.config`,
    signal,
    tensorboard: o.tensorboard !== undefined ? join(o.tensorboard, job.id) : undefined,
  });
  if (run.result.stopped) {
    say(`stopped at step ${run.result.step}/${steps}; checkpoint in ${join(runDir, CHECKPOINT_SUBDIR)}`);
    run.model.dispose();
    return "stopped";
  }
  // The full history is the run's log (a resumed run returns only the updates it made itself).
  run.result.history = deterministicHistory(readLog(join(runDir, LOG_FILE)));
  const spec = { name: c.model.name, kind: c.model.kind, preset: eff.preset, model: c.model.config };
  const closedLoop = target !== undefined ? { targetReturns: [target], episodes: eff.eval.episodes, seeds: [c.seed], references } : undefined;
  const outcome = await evaluateTrained(spec, run, { dataset, train, closedLoop, log: say, raster: c.raster !== false }, exclude, (performance.now() - t0) / 1000);
  if (o.tensorboard !== undefined) {
    const tb = new TensorBoardLog(join(o.tensorboard, job.id));
    try {
      tb.writeScalars(steps, outcomeScalars(outcome));
    } finally {
      tb.close();
    }
  }
  return { index: job.index, id: job.id, outcome, target, references, engine: engineInfo() };
}

/**
 * The random / expert reference returns a job's closed-loop scores use. A MuJoCo locomotion env uses strl's own
 * references shipped in `experts/<env>/manifest.json` (the shipped random and expert policies, >= 100 episodes each;
 * D4RL's references are applied beside them in the report, labelled); it is an error when none is shipped. Every
 * other env measures them once per sweep (20 episodes of its random and expert policies on each of seeds 777..781).
 * Both carry their standard errors, which widen the normalised score's interval in the report.
 */
async function jobReferences(dir: string, c: JobConfig, say: (l: string) => void, signal?: AbortSignal): Promise<ReferenceReturns> {
  if (isLocomotionScored(c.task.envId)) {
    const own = ownLocomotionReferences(c.task.envId);
    if (!own) throw new ConfigError(`${c.task.envId}: no measured reference returns are shipped (experts/${c.task.envId}/manifest.json with >= 100 episodes of the random and expert policies)`);
    return { random: own.random.mean, expert: own.expert.mean, source: own.source, randomStdErr: own.random.stdErr, expertStdErr: own.expert.stdErr, ...(own.random.episodes === own.expert.episodes ? { episodes: own.random.episodes } : {}) };
  }
  return sharedReferences(dir, { envId: c.task.envId, envOptions: c.task.envOptions, episodes: REFERENCE_EPISODES, seeds: REFERENCE_SEEDS }, say, signal);
}

/**
 * The engines the finished jobs ran on, for a report header: the workers' engines and thread counts, not the
 * reporting process's. "native (avx512, 1 threads) in each of the 2 finished jobs", or one part per engine when
 * they differ ("native (avx2, 1 threads) in 3 jobs; wasm in 1 job"), results without the record counted as such.
 */
export function jobsEngine(results: Iterable<JobResult>): string | undefined {
  const counts = new Map<string, number>();
  let n = 0;
  for (const r of results) {
    const e = r.engine ?? "not recorded (a result from an older strl)";
    counts.set(e, (counts.get(e) ?? 0) + 1);
    n++;
  }
  if (n === 0) return undefined;
  const jobs = (k: number) => `${k} job${k === 1 ? "" : "s"}`;
  if (counts.size === 1) return `${[...counts.keys()][0]} in ${n === 1 ? "the 1 finished job" : `each of the ${n} finished jobs`}`;
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([e, k]) => `${e} in ${jobs(k)}`).join("; ");
}

/**
 * A finished job's result.json, checked before use: a JSON object of this job (index, id) with its model's
 * outcome (name, kind, held-out metrics, history). Anything else is a ConfigError naming the file.
 */
export function readResult(path: string, job: Job): JobResult {
  const damaged = (why: string): ConfigError => new ConfigError(`${path}: damaged job result (${why}); remove it to run job ${job.index} again`);
  let r: unknown;
  try {
    r = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw damaged(`${(e as Error).message.split("\n")[0]}`);
  }
  if (typeof r !== "object" || r === null || Array.isArray(r)) throw damaged("not a JSON object");
  const res = r as Partial<JobResult>;
  if (res.index !== job.index || res.id !== job.id) throw damaged(`it is job ${JSON.stringify(res.index ?? null)} ${JSON.stringify(res.id ?? null).slice(0, 60)}'s, not ${job.index} ${job.id}'s`);
  const o = res.outcome as Partial<ModelOutcome> | undefined;
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw damaged("no outcome");
  if (o.name !== job.config.model.name || o.kind !== job.config.model.kind) throw damaged(`its outcome is not of model '${job.config.model.name}' (${job.config.model.kind})`);
  if (typeof o.offline !== "object" || o.offline === null || !Array.isArray(o.history)) throw damaged("its outcome lacks the held-out metrics or the history");
  if (res.target !== undefined && !Number.isFinite(res.target)) throw damaged("target is not a number");
  if (res.engine !== undefined && typeof res.engine !== "string") throw damaged("engine is not text");
  return res as JobResult;
}

/** The results of the finished jobs of a sweep, by job index. */
export function readResults(dir: string): Map<number, JobResult> {
  const plan = readPlan(dir);
  const out = new Map<number, JobResult>();
  for (const job of plan.jobs) {
    const p = join(jobDir(dir, job), RESULT_FILE);
    if (existsSync(p)) out.set(job.index, readResult(p, job));
  }
  return out;
}
