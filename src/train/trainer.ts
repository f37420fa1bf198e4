/**
 * The training loop: AdamW with warm-up + cosine/constant schedule, gradient clipping, gradient accumulation,
 * periodic offline validation, checkpoints, and exact resumption.
 *
 * Determinism: every random draw of a run comes from (a) the batch stream, `new Rng(seed).fork("batches")`,
 * handed to `sampleBatch`, and (b) the model's own streams (dropout), which the model exposes through an
 * optional `randomStreams(): Array<[name, Rng]>` method or a `dropoutRng: Rng` property (or the caller passes
 * them as `randomStreams`). All of
 * them are saved in trainer.json, so a run resumed from its last checkpoint continues with the same losses,
 * bit for bit, as a run that was never interrupted.
 *
 * One update ("step") = `accumulate` micro-batches of `batchSize` windows each (effective batch
 * batchSize x accumulate; see grads.ts), then clipping, then one AdamW update. Logged `step` values count
 * updates done (1 after the first update).
 */
import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Rng, type RngState, type Tensor } from "../tensor/index.js";
import { FiringRateMonitor } from "../snn/index.js";
import type { ModelBatch, PolicyModel } from "../models/types.js";
import {
  boolField,
  ConfigError,
  enumField,
  intField,
  numField,
  parseConfig,
  type ConfigOf,
} from "../config/index.js";
import { applyWeights, loadCheckpoint, saveCheckpoint, type Normalisation } from "../checkpoint/index.js";
import { acquireRunLock, type RunLock } from "../io/run-lock.js";
import { explainFsError } from "../io/fs-safe.js";
import { AdamW } from "./adamw.js";
import { clipByGlobalNorm } from "./clip.js";
import { accumulateGradients } from "./grads.js";
import { createLogger, type LogRecord, type OutputMode, type TextSink } from "./log.js";
import { learningRate, SCHEDULES } from "./schedule.js";
import { evaluateOffline } from "./validate.js";
import { checkResumable, checkSameRun, trimLog, type SavedRun } from "./resume.js";
import { TensorBoardLog } from "./tensorboard.js";

/** The serialisable training hyper-parameters (stored in trainer.json). Defaults follow the STRL paper. */
export const TRAIN_SPEC = {
  steps: intField({ min: 1, doc: "number of optimiser updates" }),
  batchSize: intField({ min: 1, default: 32, doc: "windows per micro-batch" }),
  accumulate: intField({ min: 1, default: 1, doc: "micro-batches per update (effective batch = batchSize x accumulate)" }),
  lr: numField({ min: 0, minExclusive: true, default: 1e-3 }),
  minLr: numField({ min: 0, default: 0, doc: "floor of the cosine schedule" }),
  weightDecay: numField({ min: 0, default: 1e-4, doc: "AdamW decoupled weight decay, rank >= 2 parameters only" }),
  warmupSteps: intField({ min: 0, default: 0 }),
  schedule: enumField(SCHEDULES, { default: "cosine" }),
  gradClip: numField({ min: 0, default: 1.0, doc: "max global gradient norm, 0 = off" }),
  beta1: numField({ min: 0, max: 1, maxExclusive: true, default: 0.9 }),
  beta2: numField({ min: 0, max: 1, maxExclusive: true, default: 0.999 }),
  eps: numField({ min: 0, minExclusive: true, default: 1e-8 }),
  seed: intField({ min: 0, max: 0xffffffff, default: 42 }),
  evalEvery: intField({ min: 0, default: 0, doc: "updates between validations, 0 = at the end only" }),
  checkpointEvery: intField({ min: 0, default: 0, doc: "updates between checkpoints, 0 = at the end only" }),
  logEvery: intField({ min: 1, default: 1, doc: "updates between JSON log lines" }),
  saveOptimizer: boolField({ default: true, doc: "write optimizer.safetensors + trainer.json (resumable checkpoints)" }),
};

export type TrainConfig = ConfigOf<typeof TRAIN_SPEC>;

/** A model that owns random streams (dropout) the trainer must save and restore. */
export interface HasRandomStreams {
  randomStreams(): Array<[string, Rng]>;
}

export interface TrainOptions extends Partial<TrainConfig> {
  model: PolicyModel;
  /** Draws one micro-batch of `batchSize` windows; every random draw must come from `rng`. */
  sampleBatch: (rng: Rng, batchSize: number) => ModelBatch;
  /** Held-out batches for `evaluateOffline` (a fresh iterable per call, e.g. `() => valSampler.allWindows(64)`). */
  validation?: () => Iterable<ModelBatch>;
  /**
   * Extra metrics at evaluation steps; keys without a "/" are prefixed "evaluation/". It gets `signal`: when that
   * aborts during the evaluation, the step's record is logged without these metrics and the run stops there.
   */
  evaluate?: (model: PolicyModel, step: number, signal?: AbortSignal) => Record<string, number> | Promise<Record<string, number>>;
  /** Run folder: checkpoints go to `<outDir>/checkpoint`, the log to `<outDir>/log.jsonl`. */
  outDir?: string;
  /** Required with `outDir`: what config.json records about the data. */
  checkpointMeta?: { envId: string; envOptions?: Record<string, unknown>; normalisation: Normalisation; obsDim?: number };
  /** A resumable checkpoint folder to continue from (same hyper-parameters required). */
  resumeFrom?: string;
  /** Random streams besides the batch stream and the model's `randomStreams()`, saved and restored. */
  randomStreams?: Array<[string, Rng]>;
  /** Called with every step's record. */
  onLog?: (record: LogRecord) => void;
  /** Console output (default "quiet": a library prints nothing unless asked; "auto" = progress bar on a TTY, JSON lines otherwise). */
  output?: OutputMode;
  /** Where output goes (default: stderr for the progress bar, stdout for JSON lines). */
  sink?: TextSink;
  /** Stops the run before the next update; a checkpoint is written first when `outDir` is set. */
  signal?: AbortSignal;
  /**
   * Also keep the best checkpoint so far in `<outDir>/checkpoint-best` (by evaluation/accuracy, else the lowest
   * evaluation/mse, else evaluation/loss), written after each evaluation that improves it.
   */
  keepBest?: boolean;
  /** Also write every log record's numbers as TensorBoard scalars to a new event file in this folder (tensorboard.ts). */
  tensorboard?: string;
  /** The caller's own run settings (JSON), saved in trainer.json as `settings` so that a resume can restore them. */
  settings?: Record<string, unknown>;
}

export interface TrainResult {
  /** Updates done in total (including those before a resume). */
  step: number;
  /** The records of this run, one per update. */
  history: LogRecord[];
  /** The last evaluation's metrics, if any. */
  lastEval?: Record<string, number>;
  /** True when `signal` stopped the run early. */
  stopped: boolean;
  /** The last checkpoint written, if any. */
  checkpoint?: string;
  /** The best evaluation so far (with `keepBest`): metric, value, step and folder. */
  best?: BestCheckpoint;
}

export interface BestCheckpoint {
  metric: string;
  value: number;
  step: number;
  dir: string;
}

/** The content of trainer.json. */
export interface TrainerState {
  format_version: 1;
  step: number;
  elapsed_s: number;
  config: TrainConfig;
  rng: { batches: RngState; streams: Record<string, RngState> };
  /** The best evaluation so far, when the run keeps its best checkpoint. */
  best?: BestCheckpoint;
  /** The caller's run settings (`TrainOptions.settings`), as given; validated by whoever reads them back. */
  settings?: Record<string, unknown>;
}

export const CHECKPOINT_SUBDIR = "checkpoint";
export const BEST_SUBDIR = "checkpoint-best";
export const LOG_FILE = "log.jsonl";

/** The metric `keepBest` ranks by, and whether higher is better. */
function bestMetric(m: Record<string, number>): { metric: string; value: number; higher: boolean } | undefined {
  if (m["evaluation/accuracy"] !== undefined) return { metric: "evaluation/accuracy", value: m["evaluation/accuracy"], higher: true };
  for (const k of ["evaluation/mse", "evaluation/loss"]) if (m[k] !== undefined) return { metric: k, value: m[k]!, higher: false };
  return undefined;
}

function pickConfig(o: TrainOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(TRAIN_SPEC)) if ((o as unknown as Record<string, unknown>)[k] !== undefined) out[k] = (o as unknown as Record<string, unknown>)[k];
  return out;
}

/**
 * The model's random streams plus the caller's extra ones, with unique names: `randomStreams()` when the model
 * has it, else its `dropoutRng` property (the models of src/models) as "dropout".
 */
function collectStreams(model: PolicyModel, extra: Array<[string, Rng]> = []): Array<[string, Rng]> {
  const m = model as Partial<HasRandomStreams> & { dropoutRng?: unknown };
  const own: Array<[string, Rng]> =
    typeof m.randomStreams === "function" ? m.randomStreams() : m.dropoutRng instanceof Rng ? [["dropout", m.dropoutRng]] : [];
  const all = [...own, ...extra];
  const seen = new Set<string>();
  for (const [name] of all) {
    if (name === "batches" || seen.has(name)) throw new ConfigError(`train: duplicate random stream name '${name}'`);
    seen.add(name);
  }
  return all;
}

function prefixMetrics(m: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) out[k.includes("/") ? k : `evaluation/${k}`] = v;
  return out;
}

/** Trains `opts.model` in place. See the module comment for the step, seeding and resume semantics. */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const cfg = parseConfig("train", pickConfig(opts), TRAIN_SPEC);
  if (cfg.minLr > cfg.lr) throw new ConfigError(`train.minLr must be <= lr (${cfg.lr}), got ${cfg.minLr}`);
  const { model } = opts;
  if (opts.outDir !== undefined && !opts.checkpointMeta) throw new ConfigError("train: outDir needs checkpointMeta ({ envId, normalisation }) for the checkpoints' config.json");
  const params = model.namedParameters();
  const vars = params.map(([, p]) => p);
  const streams = collectStreams(model, opts.randomStreams);
  const batchRng = new Rng(cfg.seed).fork("batches");
  const optimizer = new AdamW(params, { weightDecay: cfg.weightDecay, beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.eps });
  const schedule = { lr: cfg.lr, minLr: cfg.minLr, warmupSteps: cfg.warmupSteps, totalSteps: cfg.steps, kind: cfg.schedule };

  // One run per folder: the lock is taken before anything in it is read or written.
  const lock: RunLock | undefined = opts.outDir !== undefined ? acquireRunLock(opts.outDir) : undefined;
  let start = 0;
  let elapsedBefore = 0;
  let best: BestCheckpoint | undefined;
  try {
    if (opts.resumeFrom !== undefined) {
      const ck = await loadCheckpoint(opts.resumeFrom, { model, requireTrainingState: true });
      const state = checkResumable(opts.resumeFrom, ck.trainer, cfg, streams);
      checkSameRun(opts.resumeFrom, ck.config as unknown as SavedRun, model, opts.checkpointMeta);
      applyWeights(model, ck.weights, opts.resumeFrom);
      optimizer.importState(ck.optimizer!);
      if (optimizer.step !== state.step) throw new ConfigError(`cannot resume from ${opts.resumeFrom}: optimizer.safetensors is at step ${optimizer.step}, trainer.json at ${state.step}`);
      batchRng.setState(state.rng.batches);
      for (const [name, r] of streams) r.setState(state.rng.streams[name]!);
      start = state.step;
      elapsedBefore = state.elapsed_s;
      best = (ck.trainer as Partial<TrainerState>).best;
    }
  } catch (e) {
    lock?.release();
    optimizer.dispose();
    throw e;
  }

  const logPath = opts.outDir !== undefined ? join(opts.outDir, LOG_FILE) : undefined;
  // A fresh run replaces the previous log only when its first record is written, so a run that fails before
  // its first update leaves the old log as it was.
  let logFresh = logPath !== undefined && opts.resumeFrom === undefined;
  const appendLog = async (line: string): Promise<void> => {
    if (!logPath) return;
    try {
      if (logFresh) await writeFile(logPath, line);
      else await appendFile(logPath, line);
    } catch (e) {
      throw explainFsError(e, logPath);
    }
    logFresh = false;
  };
  if (logPath && opts.resumeFrom !== undefined) await trimLog(logPath, start);
  const mode = opts.output ?? "quiet";
  const sink: TextSink =
    opts.sink ?? (mode === "progress" || mode === "lines" || (mode === "auto" && process.stderr.isTTY) ? process.stderr : process.stdout);
  const logger = createLogger(mode, sink, cfg.steps, { every: cfg.logEvery });
  const tensorboard = opts.tensorboard !== undefined ? new TensorBoardLog(opts.tensorboard) : undefined;

  const history: LogRecord[] = [];
  let lastEval: Record<string, number> | undefined;
  let lastCheckpoint: string | undefined;
  let savedAt = -1;
  let stopped = false;
  let failed = false;
  let step = start;
  const t0 = performance.now();
  const elapsed = (): number => (performance.now() - t0) / 1000;

  const save = async (sub = CHECKPOINT_SUBDIR): Promise<void> => {
    if (opts.outDir === undefined || !opts.checkpointMeta) return;
    const dir = join(opts.outDir, sub);
    const trainer: TrainerState = {
      format_version: 1,
      step,
      elapsed_s: elapsedBefore + elapsed(),
      config: cfg,
      rng: { batches: batchRng.getState(), streams: Object.fromEntries(streams.map(([n, r]) => [n, r.getState()])) },
      ...(best ? { best } : {}),
      ...(opts.settings ? { settings: opts.settings } : {}),
    };
    await saveCheckpoint(dir, {
      model,
      ...opts.checkpointMeta,
      ...(cfg.saveOptimizer ? { optimizer: optimizer.exportState(), trainer: trainer as unknown as Record<string, unknown> } : {}),
    });
    if (sub !== CHECKPOINT_SUBDIR) return;
    lastCheckpoint = dir;
    savedAt = step;
  };

  try {
    for (; step < cfg.steps; ) {
      if (opts.signal?.aborted) {
        stopped = true;
        break;
      }
      model.train();
      const batches = Array.from({ length: cfg.accumulate }, () => opts.sampleBatch(batchRng, cfg.batchSize));
      const lr = learningRate(step, schedule);
      const { loss, grads } = accumulateGradients(model, vars, batches);
      let clipped: { grads: Tensor[]; norm: number } | undefined;
      try {
        clipped = clipByGlobalNorm(grads, cfg.gradClip);
        optimizer.update(clipped.grads, lr);
      } finally {
        for (const g of clipped?.grads ?? grads) g.dispose();
      }
      step += 1;
      const record: LogRecord = {
        step,
        "training/loss": loss,
        "training/lr": lr,
        "training/grad_norm": clipped.norm,
        "training/steps_per_s": (step - start) / Math.max(elapsed(), 1e-9),
        "time/elapsed_s": elapsedBefore + elapsed(),
      };
      const last = step === cfg.steps;
      const evalDue = (opts.validation || opts.evaluate) && ((cfg.evalEvery > 0 && step % cfg.evalEvery === 0) || last);
      if (evalDue) {
        const metrics: Record<string, number> = {};
        if (opts.validation) {
          // Each LIF's firing rate on the held-out windows (every LIF of the model), logged as firing/<layer>
          // (see spikeHealth).
          const monitor = new FiringRateMonitor().attach(model);
          const m = evaluateOffline(model, opts.validation());
          for (const [n, r] of Object.entries(monitor.rates())) if (r.calls > 0) metrics[`firing/${n}`] = r.rate;
          monitor.detach();
          metrics["evaluation/loss"] = m.loss;
          if (m.accuracy !== undefined) metrics["evaluation/accuracy"] = m.accuracy;
          if (m.mse !== undefined) metrics["evaluation/mse"] = m.mse;
        }
        if (opts.evaluate) {
          const wasTraining = model.training;
          try {
            Object.assign(metrics, prefixMetrics(await opts.evaluate(model, step, opts.signal)));
          } catch (e) {
            if (!opts.signal?.aborted) throw e;
            stopped = true; // stopped during the evaluation: log the update without it, save, stop
          } finally {
            model.train(wasTraining);
          }
        }
        Object.assign(record, metrics);
        lastEval = metrics;
        const b = opts.keepBest && opts.outDir !== undefined ? bestMetric(metrics) : undefined;
        if (b && (!best || (b.higher ? b.value > best.value : b.value < best.value))) {
          best = { metric: b.metric, value: b.value, step, dir: join(opts.outDir!, BEST_SUBDIR) };
          await save(BEST_SUBDIR);
        }
      }
      history.push(record);
      opts.onLog?.(record);
      logger.log(record, Boolean(evalDue) || last);
      await appendLog(`${JSON.stringify(record)}\n`);
      tensorboard?.write(record);
      if ((cfg.checkpointEvery > 0 && step % cfg.checkpointEvery === 0) || last) await save();
      if (stopped) break;
    }
    if (stopped && savedAt !== step && step !== start) await save();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    // Cleanup never hides the first error: its own failure is thrown only when the run itself succeeded.
    logger.close();
    lock?.release();
    let cleanupError: unknown;
    for (const cleanup of [() => tensorboard?.close(), () => optimizer.dispose()]) {
      try {
        cleanup();
      } catch (e) {
        cleanupError ??= e;
      }
    }
    if (cleanupError !== undefined && !failed) throw cleanupError;
  }
  return { step, history, lastEval, stopped, checkpoint: lastCheckpoint, best };
}
