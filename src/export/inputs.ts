/**
 * The graph inputs of one decision and what the graph makes of them before the first layer, exactly as
 * `historyToBatch` (src/models/policy.ts) prepares a window: states normalised with the model's mean and std,
 * returns-to-go divided by its rtg scale (both in float64, rounded to float32 once), timesteps clipped to the
 * timestep table, and padding steps (attention_mask 0) set to what strl puts there (zero states, returns and
 * timesteps; the "no action" index n, or zeros, as previous action). The caller passes raw values.
 *
 *   states          float32 [batch, K, obsDim]   raw observations, left-padded
 *   returns_to_go   float32 [batch, K, 1]        unscaled returns-to-go (target minus rewards so far)
 *   timesteps       int64   [batch, K]           absolute timesteps
 *   attention_mask  float32 [batch, K]           1 = real step, 0 = padding
 *   prev_actions    (STRL, ANN-STRL) a_{t-1}: int64 [batch, K] (n = none, at t = 0) or float32 [batch, K, dim]
 *   actions         (DT) a_t: int64 [batch, K] or float32 [batch, K, dim]; the current step's is set to 0 (dt-graph.ts)
 */
import type { ActionHead } from "../models/types.js";
import type { GraphBuilder } from "./graph.js";

export const BATCH = "batch";

/** What a decision's window needs from a model config. */
export interface WindowSpec {
  obsDim: number;
  contextLength: number;
  head: ActionHead;
  stateMean: readonly number[];
  stateStd: readonly number[];
  rtgScale: number;
  maxTimestep?: number;
}

export interface Prepared {
  /** bool [B, K]: real steps */
  real: string;
  /** float32 [B, K, 1]: 1 on real steps */
  mask3: string;
  /** float32 [B, K, obsDim], normalised, 0 on padding */
  states: string;
}

/** The inputs every model has (states, attention_mask) and the normalised states. */
export function stateInputs(g: GraphBuilder, s: WindowSpec): Prepared {
  const K = s.contextLength;
  const states = g.input("states", "float32", [BATCH, K, s.obsDim]);
  const mask = g.input("attention_mask", "float32", [BATCH, K]);
  const real = g.op("Greater", [mask, g.f32(0)]); // [B, K] bool
  const mask3 = g.unsqueeze(g.cast(real, "float32"), [2]); // [B, K, 1]
  const mean = g.constant("float64", [s.obsDim], s.stateMean, "state_mean");
  const std = g.constant("float64", [s.obsDim], s.stateStd, "state_std");
  const norm = g.cast(g.div(g.sub(g.cast(states, "float64"), mean), std), "float32"); // [B, K, obsDim]
  return { real, mask3, states: g.mul(norm, mask3) };
}

/** returns_to_go [B, K, 1] divided by the rtg scale, 0 on padding. */
export function rtgInput(g: GraphBuilder, s: WindowSpec, p: Prepared): string {
  const rtg = g.input("returns_to_go", "float32", [BATCH, s.contextLength, 1]);
  return g.mul(g.cast(g.div(g.cast(rtg, "float64"), g.f64(s.rtgScale)), "float32"), p.mask3); // [B, K, 1]
}

/** timesteps [B, K] clipped to [0, maxTimestep - 1], 0 on padding. */
export function timestepInput(g: GraphBuilder, s: WindowSpec, p: Prepared): string {
  const ts = g.input("timesteps", "int64", [BATCH, s.contextLength]);
  const top = (s.maxTimestep ?? 1) - 1;
  const clipped = g.op("Min", [g.op("Max", [ts, g.constant("int64", [], [0])]), g.constant("int64", [], [top])]); // [B, K]
  return g.where(p.real, clipped, g.constant("int64", [], [0])); // [B, K]
}

/**
 * An action input (`prev_actions` or `actions`): discrete int64 [B, K] with `padIndex` on padding, continuous
 * float32 [B, K, dim] with zeros on padding.
 */
export function actionInput(g: GraphBuilder, name: string, s: WindowSpec, p: Prepared, padIndex: number): string {
  const K = s.contextLength;
  if (s.head.kind === "discrete") {
    const a = g.input(name, "int64", [BATCH, K]);
    return g.where(p.real, a, g.constant("int64", [], [padIndex])); // [B, K]
  }
  const a = g.input(name, "float32", [BATCH, K, s.head.dim]);
  return g.mul(a, p.mask3); // [B, K, dim]
}

/** Which keys each query may attend: bool [B, 1, L, L] from the real tokens [B, L] (and j <= i when causal). */
export function allowedKeys(g: GraphBuilder, real: string, L: number, causal: boolean): string {
  const keys = g.unsqueeze(real, [1, 2]); // [B, 1, 1, L]
  const tri = new Array<number>(L * L);
  for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) tri[i * L + j] = !causal || j <= i ? 1 : 0;
  return g.op("And", [keys, g.constant("bool", [1, 1, L, L], tri, "causal")]); // [B, 1, L, L]
}

/** The additive mask of real-attention.ts: 0 where allowed, -1e9 elsewhere. allowed [B, 1, L, L] -> float32 */
export function additiveMask(g: GraphBuilder, allowed: string): string {
  return g.where(allowed, g.f32(0), g.f32(-1e9));
}
