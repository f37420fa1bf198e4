/**
 * Adapter: a trained model as an evaluation `Policy`, through the model's own `getAction(history)`
 * (src/models/policy.ts: crop to the last K steps, normalise states with the model's training statistics,
 * divide returns-to-go by the model's rtgScale, clip timesteps, left-pad, forward in eval mode, action at the last
 * position). The history handed over is the episode so far: raw observations s_0..s_t, actions a_0..a_{t-1},
 * unscaled returns-to-go (target minus the rewards received before each step) and timesteps 0..t.
 */
import type { Action } from "../envs/core.js";
import type { ActOptions, History } from "../models/policy.js";
import type { PolicyModel } from "../models/types.js";
import type { Policy } from "./policy.js";

/** A model that can act on an episode's history (every strl model: STRL, ANN-STRL, DT, BC). */
export interface ActingModel extends PolicyModel {
  getAction(history: History, opts?: ActOptions): number | Float32Array;
}

export function isActingModel(m: PolicyModel): m is ActingModel {
  return typeof (m as unknown as Partial<ActingModel>).getAction === "function";
}

/** The model's training rtgScale, read from its config (undefined when the config has none). */
export function modelRtgScale(model: PolicyModel): number | undefined {
  const v = model.config.toJSON().rtgScale;
  return typeof v === "number" ? v : undefined;
}

export interface ModelPolicyOptions {
  /** Name in reports (default the model's kind). */
  name?: string;
  /** Sample from the softmax instead of the arg-max (discrete), from the evaluation's policy Rng. */
  sample?: boolean;
  temperature?: number;
  /** Called after every decision with its number of real (unpadded) tokens, min(t + 1, K), for energy accounting. */
  onForward?: (tokens: number) => void;
  /** Called with each decision's raw predictions at the current position (logits, or the continuous action). */
  onPredictions?: (last: Float32Array) => void;
}

export function modelPolicy(model: PolicyModel, opts: ModelPolicyOptions = {}): Policy {
  if (!isActingModel(model)) throw new TypeError(`modelPolicy: the '${model.kind}' model has no getAction(history) method`);
  return {
    name: opts.name ?? model.kind,
    act(ctx) {
      const t = ctx.timestep;
      const history: History = {
        observations: ctx.observations,
        actions: ctx.actions as History["actions"],
        returnsToGo: ctx.returnsToGoUnscaled,
        timesteps: Array.from({ length: t + 1 }, (_, i) => i),
      };
      opts.onForward?.(Math.min(t + 1, model.contextLength)); // before the pass: monitors set their token mask
      const onPredictions = opts.onPredictions;
      const a = model.getAction(history, opts.sample ? { sample: true, rng: ctx.rng, temperature: opts.temperature, onPredictions } : { onPredictions });
      const out: Action = typeof a === "number" ? a : Array.from(a);
      return out;
    },
  };
}
