/**
 * One training run on a dataset, as the CLI, the demo and `strl reproduce` do it: split the episodes 70/15/15
 * (seeded), normalise states with the training split's statistics, scale returns-to-go, build the model config
 * from the data (obsDim, action head, stats) plus preset / user fields, and train with validation.
 */
import { Rng } from "../tensor/index.js";
import { Dataset, WindowSampler, splitEpisodes, type Split } from "../data/index.js";
import { configFromJSON, createModel, type AnyModel, type ModelKind, type ActionHead } from "../models/index.js";
import { train, type LogRecord, type TrainConfig, type TrainResult } from "../train/index.js";
import type { OutputMode, TextSink } from "../train/log.js";
import { normalisationOf } from "../checkpoint/index.js";
import { ConfigError, showValue } from "../config/index.js";
import { presetFields, type Preset } from "./presets.js";

export interface TrainRunOptions {
  dataset: Dataset;
  kind: ModelKind;
  /** Architecture preset (default "small"); `model` fields override it. */
  preset?: Preset;
  /** Model config fields (any key of the kind's config class). */
  model?: Record<string, unknown>;
  /**
   * Training hyper-parameters (`steps` required). Defaults as `strl train`'s: seed 0 and a linear warm-up over
   * the first 10% of the steps before the cosine (the low-level `train` defaults to seed 42 and no warm-up).
   */
  train: Partial<TrainConfig> & { steps: number };
  /** Seed of the episode split (default: the training seed). */
  splitSeed?: number;
  /** Returns-to-go are divided by this (default: the largest |episode return| in the training split, at least 1). */
  rtgScale?: number;
  outDir?: string;
  output?: OutputMode;
  sink?: TextSink;
  resumeFrom?: string;
  /** Stops training before the next update (a checkpoint is written first); see `train`. */
  signal?: AbortSignal;
  /** Also keep the best checkpoint in `<outDir>/checkpoint-best`; see `train`. */
  keepBest?: boolean;
  /** TensorBoard event files of the log records in this folder; see `train`. */
  tensorboard?: string;
  /** Called with every step's record; see `train`. */
  onLog?: (record: LogRecord) => void;
  /** The caller's run settings, saved in trainer.json for a resume; see `train`. */
  settings?: Record<string, unknown>;
  /** Where the `model` fields came from (e.g. "--config run.json"), prefixed to their config errors. */
  configSource?: string;
  /** Called with the validated model config and the batch size before the model is built (size checks). */
  onBeforeModel?: (modelJSON: Record<string, unknown>, batchSize: number) => void;
  /** Extra metrics at evaluation steps (e.g. closed-loop return). */
  evaluate?: (model: AnyModel, step: number, signal?: AbortSignal) => Record<string, number> | Promise<Record<string, number>>;
}

export interface TrainRun {
  model: AnyModel;
  result: TrainResult;
  split: Split;
  train: WindowSampler;
  val: WindowSampler;
  test: WindowSampler;
  rtgScale: number;
}

/** The action head a dataset's action space calls for. */
export function headOf(ds: Dataset): ActionHead {
  const s = ds.actionSpace;
  if (s.kind === "discrete") return { kind: "discrete", n: s.n };
  return { kind: "continuous", dim: ds.actDim, low: [...s.low], high: [...s.high] };
}

/** The env options a dataset was collected with (its `env_options` metadata, JSON), or undefined. */
export function datasetEnvOptions(ds: Dataset): Record<string, unknown> | undefined {
  const raw = ds.metadata.env_options;
  if (typeof raw !== "string" || raw.length === 0) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new ConfigError(`the dataset's env_options attribute is not valid JSON: ${showValue(raw)}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ConfigError(`the dataset's env_options attribute must be a JSON object, got ${showValue(raw)}`);
  return v as Record<string, unknown>;
}

/** Largest |return| over the given episodes (at least 1): a return-to-go scale that keeps inputs near [-1, 1]. */
export function defaultRtgScale(ds: Dataset, indices: readonly number[]): number {
  const rets = ds.returns();
  let m = 1;
  for (const i of indices) m = Math.max(m, Math.abs(rets[i]!));
  return m;
}

/** The validated model config JSON for a kind, preset, dataset and training split. */
export function buildModelJSON(o: {
  kind: ModelKind;
  preset: Preset;
  dataset: Dataset;
  overrides?: Record<string, unknown>;
  stats: { mean: Float32Array; std: Float32Array };
  rtgScale: number;
  seed: number;
}): Record<string, unknown> {
  const json: Record<string, unknown> = {
    kind: o.kind,
    ...presetFields(o.kind, o.preset),
    obsDim: o.dataset.obsDim,
    head: headOf(o.dataset),
    stateMean: Array.from(o.stats.mean),
    stateStd: Array.from(o.stats.std),
    rtgScale: o.rtgScale,
    seed: o.seed,
    ...(o.overrides ?? {}),
  };
  return configFromJSON(json).toJSON();
}

export async function trainOnDataset(o: TrainRunOptions): Promise<TrainRun> {
  const seed = o.train.seed ?? 0;
  const warmupSteps = o.train.warmupSteps ?? Math.floor(o.train.steps / 10);
  const split = splitEpisodes(o.dataset.numEpisodes, new Rng(o.splitSeed ?? seed));
  const probe = new WindowSampler(o.dataset, { contextLength: 1, rtgScale: 1, numTimesteps: 1 }, split.train);
  const stats = probe.stats;
  const rtgScale = o.rtgScale ?? defaultRtgScale(o.dataset, split.train);
  let json: Record<string, unknown>;
  try {
    json = buildModelJSON({ kind: o.kind, preset: o.preset ?? "small", dataset: o.dataset, overrides: o.model, stats, rtgScale, seed });
  } catch (e) {
    if (e instanceof ConfigError && o.configSource) throw new ConfigError(`${o.configSource}: ${e.message}`);
    throw e;
  }
  o.onBeforeModel?.(json, o.train.batchSize ?? 32);
  const model = createModel(configFromJSON(json));
  const c = model.config as unknown as { contextLength: number; maxTimestep?: number };
  const wc = { contextLength: c.contextLength, rtgScale, numTimesteps: c.maxTimestep ?? 1_000_000, stats };
  const trainS = new WindowSampler(o.dataset, wc, split.train);
  // A split left empty by a tiny dataset is an error: never report training episodes as held-out.
  for (const [name, idx] of [["validation", split.val], ["test", split.test]] as const) {
    if (idx.length === 0) throw new RangeError(`the ${name} split of ${o.dataset.numEpisodes} episodes is empty (70/15/15): collect more episodes; training episodes are never reported as held-out`);
  }
  const val = new WindowSampler(o.dataset, wc, split.val);
  const test = new WindowSampler(o.dataset, wc, split.test);
  const valBatch = Math.max(1, Math.min(64, o.train.batchSize ?? 32));
  const result = await train({
    ...o.train,
    seed,
    warmupSteps,
    model,
    sampleBatch: (rng, B) => trainS.sample(B, rng),
    validation: () => val.allWindows(valBatch),
    evaluate: o.evaluate ? (m, step, signal) => o.evaluate!(m as AnyModel, step, signal) : undefined,
    outDir: o.outDir,
    checkpointMeta: o.outDir
      ? { envId: o.dataset.envId, envOptions: datasetEnvOptions(o.dataset), normalisation: normalisationOf(stats, rtgScale), obsDim: o.dataset.obsDim }
      : undefined,
    output: o.output,
    sink: o.sink,
    resumeFrom: o.resumeFrom,
    signal: o.signal,
    keepBest: o.keepBest,
    tensorboard: o.tensorboard,
    settings: o.settings,
    onLog: o.onLog,
  });
  return { model, result, split, train: trainS, val, test, rtgScale };
}
