/**
 * `getAction` for evaluation: turns the history of one episode so far into a batch exactly as training windows
 * are built (src/data/windows.ts) - crop to the last K steps, normalise states with the model's stats, divide
 * returns-to-go by the model's rtgScale, clip timesteps to the table, left-pad - runs the forward pass in eval
 * mode and returns the action at the last (current) position: the argmax, a seeded sample, or the continuous
 * action.
 */
import { slice, tidy, type Rng, type Tensor } from "../tensor/index.js";
import type { ActionHead, ModelBatch, ModelOutput } from "./types.js";

/** One episode so far, raw (unnormalised) values. */
export interface History {
  /** s_0 .. s_t: t + 1 observations, each of obsDim values; the last is the current state. */
  observations: ReadonlyArray<ArrayLike<number>>;
  /** a_0 .. a_{t-1}: t actions taken (an index, or dim values). */
  actions: ReadonlyArray<number | ArrayLike<number>>;
  /** G_0 .. G_t: t + 1 returns-to-go, unscaled (target return minus the rewards received before each step). */
  returnsToGo: ArrayLike<number>;
  /** t + 1 absolute timesteps of the observations. */
  timesteps: ArrayLike<number>;
}

/** What `historyToBatch` needs from a model config. */
export interface NormSpec {
  obsDim: number;
  head: ActionHead;
  contextLength: number;
  stateMean: readonly number[];
  stateStd: readonly number[];
  rtgScale: number;
  /** Timesteps are clipped to [0, maxTimestep - 1]; absent: not clipped. */
  maxTimestep?: number;
}

export interface ActOptions {
  /** Sample from softmax(logits / temperature) instead of the argmax (discrete only); needs `rng`. */
  sample?: boolean;
  rng?: Rng;
  /** Softmax temperature for sampling (default 1). */
  temperature?: number;
  /** Called with the raw predictions at the current position (logits, or the continuous action) of this very
   *  forward pass, before the action is picked (displays, e.g. the browser page's action probabilities). */
  onPredictions?: (last: Float32Array) => void;
}

function actionValues(a: number | ArrayLike<number>, dim: number, i: number): ArrayLike<number> {
  if (typeof a === "number") {
    if (dim !== 1) throw new RangeError(`getAction: history.actions[${i}] must have ${dim} values, got a number`);
    return [a];
  }
  if (a.length !== dim) throw new RangeError(`getAction: history.actions[${i}] has ${a.length} values, expected ${dim}`);
  return a;
}

/** The batch of one (B = 1, K = contextLength) left-padded window ending at the current step. */
export function historyToBatch(spec: NormSpec, h: History): ModelBatch {
  const n = h.observations.length;
  if (n < 1) throw new RangeError("getAction: history.observations is empty (it must hold at least the current state)");
  if (h.actions.length !== n - 1) {
    throw new RangeError(`getAction: history.actions must hold one action fewer than observations (${n - 1}), got ${h.actions.length}`);
  }
  if (h.returnsToGo.length !== n) throw new RangeError(`getAction: history.returnsToGo must have ${n} entries, got ${h.returnsToGo.length}`);
  if (h.timesteps.length !== n) throw new RangeError(`getAction: history.timesteps must have ${n} entries, got ${h.timesteps.length}`);
  const K = spec.contextLength;
  const obsDim = spec.obsDim;
  const discrete = spec.head.kind === "discrete";
  const dim = discrete ? 1 : (spec.head as { dim: number }).dim;
  const L = Math.min(n, K);
  const start = n - L;
  const pad = K - L;
  const states = new Float32Array(K * obsDim); // [1, K, obsDim]
  const rtg = new Float32Array(K); // [1, K]
  const timesteps = new Int32Array(K); // [1, K]
  const mask = new Float32Array(K); // [1, K]
  const actions = discrete ? new Int32Array(K) : new Float32Array(K * dim); // [1, K] | [1, K, dim]
  const prevActions = discrete ? new Int32Array(K).fill((spec.head as { n: number }).n) : new Float32Array(K * dim); // [1, K] | [1, K, dim]
  const maxT = spec.maxTimestep === undefined ? Infinity : spec.maxTimestep - 1;
  for (let j = 0; j < L; j++) {
    const step = start + j;
    const k = pad + j;
    const o = h.observations[step]!;
    if (o.length !== obsDim) throw new RangeError(`getAction: history.observations[${step}] has ${o.length} values, expected ${obsDim}`);
    for (let c = 0; c < obsDim; c++) states[k * obsDim + c] = (o[c]! - spec.stateMean[c]!) / spec.stateStd[c]!;
    rtg[k] = h.returnsToGo[step]! / spec.rtgScale;
    timesteps[k] = Math.max(0, Math.min(Math.floor(h.timesteps[step]!), maxT));
    mask[k] = 1;
    if (step < n - 1) {
      const a = actionValues(h.actions[step]!, dim, step);
      for (let c = 0; c < dim; c++) actions[k * dim + c] = a[c]!;
    }
    if (step > 0) {
      const a = actionValues(h.actions[step - 1]!, dim, step - 1);
      for (let c = 0; c < dim; c++) prevActions[k * dim + c] = a[c]!;
    }
  }
  return { B: 1, K, states, rtg, timesteps, actions, prevActions, mask };
}

/** The part of a model `actWith` uses. */
export interface Actor {
  /** Predictions at the last position [out] through the native inference path, or undefined (see PolicyBase). */
  inferLast?(batch: ModelBatch): Float32Array | undefined;
  forward(batch: ModelBatch): ModelOutput;
  /** Predictions at the last position only, [B, 1, out] (a shortcut some models offer). */
  forwardLast?(batch: ModelBatch): Tensor;
  training: boolean;
  train(on?: boolean): unknown;
}

/** Runs `model` in eval mode on the history's window and returns the current action. */
export function actWith(model: Actor, spec: NormSpec, h: History, opts: ActOptions = {}): number | Float32Array {
  const batch = historyToBatch(spec, h);
  const wasTraining = model.training;
  model.train(false);
  let last: Float32Array;
  try {
    const fast = model.inferLast?.(batch); // [out], the plan's own array
    if (fast) last = opts.onPredictions ? Float32Array.from(fast) : fast;
    else last = lastPredictions(model, batch);
  } finally {
    model.train(wasTraining);
  }
  opts.onPredictions?.(last);
  const head = spec.head;
  if (head.kind === "continuous") return Float32Array.from(last);
  if (!opts.sample) return argmax(last);
  if (!opts.rng) throw new RangeError("getAction: sampling needs a seeded rng (opts.rng)");
  const temp = opts.temperature ?? 1;
  if (!(temp > 0 && Number.isFinite(temp))) throw new RangeError(`getAction: temperature must be a finite number > 0, got ${temp}`);
  let mx = -Infinity;
  for (const z of last) mx = Math.max(mx, z / temp);
  const p = Array.from(last, (z) => Math.exp(z / temp - mx));
  const total = p.reduce((a, b) => a + b, 0);
  let u = opts.rng.float() * total;
  for (let i = 0; i < p.length; i++) {
    u -= p[i]!;
    if (u < 0) return i;
  }
  return p.length - 1;
}

/** The first index of the largest value (argmaxRows of one row, without allocating). */
function argmax(z: Float32Array): number {
  let best = 0;
  for (let j = 1; j < z.length; j++) if (z[j]! > z[best]!) best = j;
  return best;
}

/** The tfjs path: `forwardLast`, or the full forward pass sliced at the last position. -> [out] */
function lastPredictions(model: Actor, batch: ModelBatch): Float32Array {
  const out = tidy(() => {
    if (model.forwardLast) return model.forwardLast(batch); // [1, 1, out]
    const preds = model.forward(batch).preds; // [1, K, out]
    const width = preds.shape[2]!;
    return slice(preds, [0, batch.K - 1, 0], [1, 1, width]); // [1, 1, out]
  });
  const last = out.dataSync() as Float32Array; // [out]
  out.dispose();
  return last;
}
