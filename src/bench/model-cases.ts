/**
 * Model benchmarks: the two standard sizes, a synthetic batch, and timed cases - a training step (forward +
 * backward + AdamW, optionally accumulated over micro-batches) and a batch-1 decision (`getAction` on a full
 * context). Used by `strl bench` and bench/models.bench.ts (shipped in the package, since the CLI runs it).
 */
import { AdamW, accumulateGradients } from "../train/index.js";
import { Rng, backendName, memoryStats } from "../tensor/index.js";
import { AnnStrlModel } from "../models/ann-strl.js";
import { DtModel } from "../models/dt.js";
import type { History } from "../models/policy.js";
import { StrlModel } from "../models/strl.js";
import type { ModelBatch } from "../models/types.js";

export const BENCH_MODELS = ["strl", "ann-strl", "dt"] as const;
export type BenchModelKind = (typeof BENCH_MODELS)[number];
export const BENCH_SIZES = ["small", "paper"] as const;
export type BenchSize = (typeof BENCH_SIZES)[number];
export const BENCH_MODES = ["train", "infer"] as const;
export type BenchMode = (typeof BENCH_MODES)[number];

export interface BenchShape {
  dModel: number;
  nBlocks: number;
  nHeads: number;
  T: number;
  contextLength: number;
  batch: number;
  obsDim: number;
  nActions: number;
}

/** small: the DT gym size (d 128, 3 blocks, 1 head, K 20, batch 64); paper: STRL's (d 256, 6 blocks, 8 heads, K 100, batch 32). */
export const SHAPES: Record<BenchSize, BenchShape> = {
  small: { dModel: 128, nBlocks: 3, nHeads: 1, T: 4, contextLength: 20, batch: 64, obsDim: 4, nActions: 2 },
  paper: { dModel: 256, nBlocks: 6, nHeads: 8, T: 4, contextLength: 100, batch: 32, obsDim: 2, nActions: 4 },
};

export type BenchModel = StrlModel | AnnStrlModel | DtModel;

/** The model of a benchmark case (dropout 0.1, seed 42, timestep table 1000). */
export function benchModel(kind: BenchModelKind, size: BenchSize): BenchModel {
  const s = SHAPES[size];
  const common = {
    obsDim: s.obsDim,
    head: { kind: "discrete" as const, n: s.nActions },
    contextLength: s.contextLength,
    maxTimestep: 1000,
    dModel: s.dModel,
    nBlocks: s.nBlocks,
    nHeads: s.nHeads,
    dropout: 0.1,
    seed: 42,
  };
  if (kind === "strl") return new StrlModel({ ...common, T: s.T });
  if (kind === "ann-strl") return new AnnStrlModel(common);
  return new DtModel(common);
}

/** A batch of B full (unpadded) windows of random states, actions and decreasing returns-to-go. */
export function benchBatch(size: BenchSize, seed = 0, B = SHAPES[size].batch): ModelBatch {
  const s = SHAPES[size];
  const K = s.contextLength;
  const rng = new Rng(seed);
  const n = B * K;
  const actions = Int32Array.from({ length: n }, () => rng.int(s.nActions)); // [B, K]
  const prevActions = Int32Array.from({ length: n }, (_, i) => (i % K === 0 ? s.nActions : actions[i - 1]!)); // [B, K]
  return {
    B,
    K,
    states: rng.fillNormal(new Float32Array(n * s.obsDim)), // [B, K, obsDim]
    rtg: Float32Array.from({ length: n }, (_, i) => 1 - (i % K) / K), // [B, K]
    timesteps: Int32Array.from({ length: n }, (_, i) => i % K), // [B, K]
    actions,
    prevActions,
    mask: new Float32Array(n).fill(1), // [B, K]
  };
}

/** A history of exactly K steps (a full context) for batch-1 decisions. */
export function benchHistory(size: BenchSize, seed = 0): History {
  const s = SHAPES[size];
  const rng = new Rng(seed);
  const K = s.contextLength;
  return {
    observations: Array.from({ length: K }, () => Array.from({ length: s.obsDim }, () => rng.normal())),
    actions: Array.from({ length: K - 1 }, () => rng.int(s.nActions)),
    returnsToGo: Array.from({ length: K }, (_, t) => 1 - t / K),
    timesteps: Array.from({ length: K }, (_, t) => t),
  };
}

/** Splits a batch into `m` micro-batches of (nearly) equal size along B. */
export function splitBatch(b: ModelBatch, m: number, obsDim: number): ModelBatch[] {
  if (!Number.isInteger(m) || m < 1 || m > b.B) throw new RangeError(`micro-batches must be an integer in [1, ${b.B}], got ${m}`);
  const out: ModelBatch[] = [];
  const K = b.K;
  for (let i = 0; i < m; i++) {
    const lo = Math.floor((i * b.B) / m);
    const hi = Math.floor(((i + 1) * b.B) / m);
    out.push({
      B: hi - lo,
      K,
      states: b.states.slice(lo * K * obsDim, hi * K * obsDim),
      rtg: b.rtg.slice(lo * K, hi * K),
      timesteps: b.timesteps.slice(lo * K, hi * K),
      actions: b.actions.slice(lo * K, hi * K),
      prevActions: b.prevActions.slice(lo * K, hi * K),
      mask: b.mask.slice(lo * K, hi * K),
    });
  }
  return out;
}

export interface BenchCase {
  model: BenchModelKind;
  config: BenchSize;
  mode: BenchMode;
  /** Training only: accumulate the gradient over this many micro-batches (default `defaultMicroBatches`). */
  microBatches?: number;
}

/**
 * Micro-batches a training case accumulates over by default: 1, except where one batch does not fit the 4 GiB
 * wasm heap - the Decision Transformer at the paper config (batch 32 x 300 tokens x 8 heads of 300 x 300
 * attention maps per block) runs as 4 micro-batches of 8 on the wasm engine. The objective is the same (see
 * src/train/grads.ts). The native engine keeps tensors in JS memory and runs every case in one pass.
 */
export function defaultMicroBatches(model: BenchModelKind, size: BenchSize, engine: string): number {
  return engine === "wasm" && model === "dt" && size === "paper" ? 4 : 1;
}

/** One repeatable unit of work (a training step, or one decision) and its clean-up. */
export interface BenchStep {
  run(): void;
  dispose(): void;
  model: BenchModel;
}

/** Builds the model, data and (for training) the AdamW optimiser of a case. */
export function prepareStep(c: BenchCase): BenchStep {
  const model = benchModel(c.model, c.config);
  if (c.mode === "infer") {
    const history = benchHistory(c.config);
    return { model, run: () => void model.getAction(history), dispose: () => model.dispose() };
  }
  const batches = splitBatch(benchBatch(c.config), c.microBatches ?? defaultMicroBatches(c.model, c.config, backendName()), SHAPES[c.config].obsDim);
  const params = model.namedParameters();
  const vars = params.map(([, p]) => p);
  const opt = new AdamW(params, { weightDecay: 1e-4 });
  model.train();
  return {
    model,
    run: () => {
      const { grads } = accumulateGradients(model, vars, batches);
      opt.update(grads, 1e-4);
      for (const g of grads) g.dispose();
    },
    dispose: () => {
      opt.dispose();
      model.dispose();
    },
  };
}

/**
 * The first `steps` training losses of a case's model (seed 42) on fresh seeded batches (seed = step index;
 * `batch` rows each, default the config's), AdamW lr 1e-3: what two engines must agree on for the same seed.
 */
export function lossTrace(c: BenchCase, steps: number, batch = SHAPES[c.config].batch): number[] {
  const model = benchModel(c.model, c.config);
  const params = model.namedParameters();
  const vars = params.map(([, p]) => p);
  const opt = new AdamW(params, { weightDecay: 1e-4 });
  model.train();
  const losses: number[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const { loss, grads } = accumulateGradients(model, vars, [benchBatch(c.config, s, batch)]);
      opt.update(grads, 1e-3);
      for (const g of grads) g.dispose();
      losses.push(loss);
    }
  } finally {
    opt.dispose();
    model.dispose();
  }
  return losses;
}

export interface BenchTiming {
  model: BenchModelKind;
  config: BenchSize;
  mode: BenchMode;
  ms_median: number;
  ms_min: number;
  ms_max: number;
  peak_rss_mb: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Times `runs` repetitions of a prepared step after `warmup` untimed ones (ms per step or per decision). */
export function timeStep(step: BenchStep, runs: number, warmup: number): number[] {
  for (let i = 0; i < warmup; i++) step.run();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    step.run();
    ms.push(performance.now() - t0);
  }
  return ms;
}

/** Runs one case: median / min / max over `runs` after `warmup`, and the process's peak RSS. */
export function runBenchCase(c: BenchCase, runs: number, warmup: number): BenchTiming {
  const before = memoryStats().numTensors;
  const step = prepareStep(c);
  const ms = timeStep(step, runs, warmup);
  step.dispose();
  const leaked = memoryStats().numTensors - before;
  if (leaked !== 0) throw new Error(`bench ${c.model} ${c.config} ${c.mode}: ${leaked} tensors leaked`);
  return {
    model: c.model,
    config: c.config,
    mode: c.mode,
    ms_median: median(ms),
    ms_min: Math.min(...ms),
    ms_max: Math.max(...ms),
    peak_rss_mb: peakRssMb(),
  };
}
