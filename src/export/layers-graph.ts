/**
 * The real-valued layers of strl's models as ONNX ops: Linear (weights [in, out] as the checkpoint API gives
 * them: MatMul then Add), Embedding (Gather), LayerNorm (opset 17's LayerNormalization, eps 1e-5 on the last
 * axis), relu / GELU in GPT-2's tanh form, the action head (continuous: low + (tanh(z) + 1) · (high - low) / 2)
 * and multi-head attention on real values.
 */
import type { ActivationName } from "../models/blocks/activation.js";
import type { ActionHead } from "../models/types.js";
import type { GraphBuilder } from "./graph.js";

/** x [..., in] -> [..., out]: x · `<prefix>.weight` (+ `<prefix>.bias` when the layer has one) */
export function linear(g: GraphBuilder, x: string, prefix: string): string {
  const y = g.matmul(x, g.weight(`${prefix}.weight`));
  return g.hasWeight(`${prefix}.bias`) ? g.add(y, g.weight(`${prefix}.bias`)) : y;
}

/** indices (int64) [...] -> [..., dim] rows of `<prefix>.weight` */
export function embedding(g: GraphBuilder, indices: string, prefix: string): string {
  return g.op("Gather", [g.weight(`${prefix}.weight`), indices], { axis: { int: 0 } });
}

/** x [..., D] -> [..., D] */
export function layerNorm(g: GraphBuilder, x: string, prefix: string, eps = 1e-5): string {
  return g.op("LayerNormalization", [x, g.weight(`${prefix}.weight`), g.weight(`${prefix}.bias`)], { axis: { int: -1 }, epsilon: { float: eps } });
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** x [...] -> [...] */
export function activate(g: GraphBuilder, x: string, name: ActivationName): string {
  if (name === "relu") return g.op("Relu", [x]);
  const cube = g.op("Pow", [x, g.f32(3)]);
  const inner = g.mul(g.add(x, g.mul(cube, g.f32(0.044715))), g.f32(GELU_C));
  return g.mul(g.mul(x, g.f32(0.5)), g.add(g.op("Tanh", [inner]), g.f32(1)));
}

/** x [..., d] -> logits [..., n] or actions in bounds [..., dim] (weights `head.*`) */
export function actionHead(g: GraphBuilder, x: string, head: ActionHead): string {
  const z = linear(g, x, "head");
  if (head.kind === "discrete") return z;
  const low = g.constant("float32", [head.dim], head.low, "low");
  const half = g.constant("float32", [head.dim], head.high.map((hi, i) => (hi - head.low[i]!) / 2), "half");
  return g.add(low, g.mul(g.add(g.op("Tanh", [z]), g.f32(1)), half));
}

/** Splits heads: x [B, L, d] -> [B, H, L, dh] */
export function splitHeads(g: GraphBuilder, x: string, H: number, dh: number): string {
  return g.transpose(g.reshape(x, [0, 0, H, dh]), [0, 2, 1, 3]);
}

/** Splits heads transposed for the score product: x [B, L, d] -> [B, H, dh, L] */
export function splitHeadsT(g: GraphBuilder, x: string, H: number, dh: number): string {
  return g.transpose(g.reshape(x, [0, 0, H, dh]), [0, 2, 3, 1]);
}

/** Joins heads: y [B, H, L, dh] -> [B, L, d] */
export function joinHeads(g: GraphBuilder, y: string, d: number): string {
  return g.reshape(g.transpose(y, [0, 2, 1, 3]), [0, 0, d]);
}

export interface RealAttentionGraph {
  H: number;
  scale: number;
  weights: "softmax" | "linear";
  /** activation on the scaled scores before the mask (ANN-STRL) */
  scoreAct?: ActivationName;
  /** [B, 1, L, L]: additive (softmax) or 0 / 1 (linear) */
  mask: string;
}

/** Multi-head attention without projections, as real-attention.ts: q, k, v [B, L, d] -> [B, L, d] */
export function realAttention(g: GraphBuilder, q: string, k: string, v: string, d: number, o: RealAttentionGraph): string {
  const dh = d / o.H;
  let s = g.mul(g.matmul(splitHeads(g, q, o.H, dh), splitHeadsT(g, k, o.H, dh)), g.f32(o.scale)); // [B, H, L, L]
  if (o.scoreAct) s = activate(g, s, o.scoreAct); // [B, H, L, L]
  const att = o.weights === "softmax" ? g.op("Softmax", [g.add(s, o.mask)], { axis: { int: -1 } }) : g.mul(s, o.mask); // [B, H, L, L]
  return joinHeads(g, g.matmul(att, splitHeads(g, v, o.H, dh)), d); // [B, L, d]
}
