/**
 * Adapter: a trained `PolicyModel` as an evaluation `Policy`. At step t it builds one context window exactly as
 * training builds them (src/data/windows.ts): the last min(t + 1, K) steps, left-padded to K, states normalised
 * with the training statistics, returns-to-go already scaled (rtg.ts), absolute timesteps clipped to the
 * model's table, previous actions with the placeholder at t = 0 and on padding; then one forward pass and the
 * prediction at the last position: arg-max logit (discrete) or the predicted vector (continuous; the model
 * already bounds it).
 */
import type { Action } from "../envs/core.js";
import type { ModelBatch, PolicyModel } from "../models/types.js";
import { tf } from "../tensor/index.js";
import type { DecisionContext, Policy } from "./policy.js";

export interface ModelPolicyOptions {
  /** [obsDim] training state mean (checkpoint `normalisation.stateMean`). */
  stateMean: ArrayLike<number>;
  /** [obsDim] training state std, > 0 (checkpoint `normalisation.stateStd`). */
  stateStd: ArrayLike<number>;
  /** Size of the model's timestep table (timesteps are clipped to numTimesteps - 1). Default: the model config's
   *  `numTimesteps` when it has one, else no clipping. */
  numTimesteps?: number;
  /** Name in reports (default the model's kind). */
  name?: string;
  /** Called after every forward pass with the number of real (unpadded) tokens, for energy accounting. */
  onForward?: (tokens: number) => void;
}

function configNumTimesteps(model: PolicyModel): number | undefined {
  const v = model.config.toJSON().numTimesteps;
  return typeof v === "number" && Number.isInteger(v) && v >= 1 ? v : undefined;
}

/** Builds the [1, K] window of the decision at `ctx.timestep` (exported for tests and the energy counter). */
export function decisionBatch(model: PolicyModel, ctx: DecisionContext, opts: ModelPolicyOptions): ModelBatch {
  const K = model.contextLength;
  const head = model.head;
  const obsDim = opts.stateMean.length;
  const actDim = head.kind === "discrete" ? 1 : head.dim;
  const maxT = (opts.numTimesteps ?? configNumTimesteps(model) ?? Infinity) - 1;
  const t = ctx.timestep;
  const n = Math.min(t + 1, K);
  const pad = K - n;
  const states = new Float32Array(K * obsDim); // [1, K, obsDim]
  const rtg = new Float32Array(K); // [1, K]
  const timesteps = new Int32Array(K); // [1, K]
  const mask = new Float32Array(K); // [1, K]
  const actions = head.kind === "discrete" ? new Int32Array(K) : new Float32Array(K * actDim); // [1, K] | [1, K, actDim]
  const prevActions = head.kind === "discrete" ? new Int32Array(K).fill(head.n) : new Float32Array(K * actDim); // [1, K] | [1, K, actDim]
  for (let j = 0; j < n; j++) {
    const step = t + 1 - n + j;
    const k = pad + j;
    const s = ctx.observations[step]!;
    if (s.length !== obsDim) throw new RangeError(`modelPolicy: observation has ${s.length} values, the normalisation has ${obsDim}`);
    for (let d = 0; d < obsDim; d++) states[k * obsDim + d] = (s[d]! - opts.stateMean[d]!) / opts.stateStd[d]!;
    rtg[k] = ctx.returnsToGo[step]!;
    timesteps[k] = Math.min(step, maxT);
    mask[k] = 1;
    if (step > 0) {
      const a = ctx.actions[step - 1]!;
      const av = typeof a === "number" ? [a] : a;
      for (let d = 0; d < actDim; d++) prevActions[k * actDim + d] = av[d]!;
    }
  }
  return { B: 1, K, states, rtg, timesteps, actions, prevActions, mask };
}

/** The action predicted at the last position of `preds` ([1, K, n] logits or [1, K, dim] actions). */
export function lastAction(model: PolicyModel, preds: Float32Array): Action {
  const head = model.head;
  const K = model.contextLength;
  const width = head.kind === "discrete" ? head.n : head.dim;
  if (preds.length !== K * width) throw new RangeError(`modelPolicy: the model returned ${preds.length} values, expected [1, ${K}, ${width}]`);
  const row = (K - 1) * width;
  if (head.kind === "continuous") return Array.from(preds.subarray(row, row + width));
  let best = 0;
  for (let a = 1; a < width; a++) if (preds[row + a]! > preds[row + best]!) best = a;
  return best;
}

/** A `Policy` that runs `model` (put the model in eval mode first: `evaluateClosedLoop` does). */
export function modelPolicy(model: PolicyModel, opts: ModelPolicyOptions): Policy {
  if (opts.stateMean.length !== opts.stateStd.length) {
    throw new RangeError(`modelPolicy: stateMean has ${opts.stateMean.length} entries but stateStd has ${opts.stateStd.length}`);
  }
  for (let d = 0; d < opts.stateStd.length; d++) {
    const v = opts.stateStd[d]!;
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`modelPolicy: stateStd[${d}] must be a finite number > 0, got ${v}`);
  }
  if (opts.numTimesteps !== undefined && !(Number.isInteger(opts.numTimesteps) && opts.numTimesteps >= 1)) {
    throw new RangeError(`modelPolicy: numTimesteps must be an integer >= 1, got ${opts.numTimesteps}`);
  }
  return {
    name: opts.name ?? model.kind,
    act(ctx) {
      const batch = decisionBatch(model, ctx, opts);
      const predsT = tf.tidy(() => model.forward(batch).preds); // [1, K, n] | [1, K, dim]
      const preds = predsT.dataSync() as Float32Array;
      predsT.dispose();
      opts.onForward?.(Math.min(ctx.timestep + 1, model.contextLength));
      return lastAction(model, preds);
    },
  };
}
