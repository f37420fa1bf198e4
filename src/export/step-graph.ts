/**
 * STRL and ANN-STRL as one ONNX graph for one decision, following `StepTransformer.forwardLast`
 * (src/models/step-transformer.ts): the summed step token, every block but the last over the whole window, the
 * last block's attention over the whole window and its residual and MLP on the last row, the action head.
 *
 * STRL's spiking self-attention (spiking-attention.ts, fused-spiking-attention-js.ts), per time step t:
 *   q_t, k_t, v_t = LIF(qkv) spikes                                      [B, K, d] each, direct encoding
 *   scores_t = float32(scale · (q_t · k_tᵀ per head))                     [B, H, K, K] (exact coincidence counts)
 *   "strl":          w = e where the score LIF spiked, 1 where not, 0 on keys not allowed;
 *                    out = mean over t of (w · v_t) / Σ_keys w   (a row with no allowed key gives 0)
 *   "spike-driven":  out = mean over t of LIF((scores_t ⊙ allowed) · v_t)
 * The score LIF's spike count covers the allowed cells only, as strl's kernel runs it on those alone.
 */
import type { LIFConfig } from "../snn/index.js";
import type { AttentionKind } from "../models/config/strl-config.js";
import type { ActivationName } from "../models/blocks/activation.js";
import type { ActionHead } from "../models/types.js";
import type { GraphBuilder } from "./graph.js";
import { actionInput, additiveMask, allowedKeys, rtgInput, stateInputs, timestepInput, type WindowSpec } from "./inputs.js";
import { actionHead, activate, embedding, joinHeads, layerNorm, linear, realAttention, splitHeads, splitHeadsT } from "./layers-graph.js";
import { lifGraph, type SpikeCounter } from "./lif-graph.js";

/** What the graph needs of an STRL / ANN-STRL config. */
export interface StepGraphConfig extends WindowSpec {
  kind: "strl" | "ann-strl";
  maxTimestep: number;
  dModel: number;
  nBlocks: number;
  nHeads: number;
  attention: AttentionKind;
  causal: boolean;
  /** the score scale (attnScale, or 1/sqrt(head size)) */
  scale: number;
  /** STRL */
  T?: number;
  neuron?: LIFConfig;
  /** ANN-STRL */
  activation?: ActivationName;
}

/** Builds the graph's body; returns the prediction at the last position [B, 1, out]. */
export function stepTransformerGraph(g: GraphBuilder, c: StepGraphConfig, counter?: SpikeCounter): string {
  const K = c.contextLength;
  const p = stateInputs(g, c);
  const rtg = rtgInput(g, c, p); // [B, K, 1]
  const ts = timestepInput(g, c, p); // [B, K]
  const head = c.head;
  const prev = actionInput(g, "prev_actions", c, p, head.kind === "discrete" ? head.n : 0); // [B, K] | [B, K, dim]
  const r = linear(g, rtg, "embed.rtg"); // [B, K, d]
  const s = linear(g, p.states, "embed.state"); // [B, K, d]
  const a = head.kind === "discrete" ? embedding(g, prev, "embed.prev_action") : linear(g, prev, "embed.prev_action"); // [B, K, d]
  const t = embedding(g, ts, "embed.timestep"); // [B, K, d]
  let x = layerNorm(g, g.add(g.addAll([r, s, a, t]), g.weight("embed.pos")), "embed.ln"); // [B, K, d]
  const allowed = allowedKeys(g, p.real, K, c.causal); // [B, 1, K, K] bool
  const masks = { allowed, allowedF: g.cast(allowed, "float32") };
  for (let i = 0; i < c.nBlocks; i++) {
    const pre = `blocks.${i}`;
    const att = attention(g, c, layerNorm(g, x, `${pre}.ln1`), pre, masks, counter); // [B, K, d]
    const last = i === c.nBlocks - 1;
    const xr = last ? g.slice(x, [K - 1], [K], [1]) : x; // [B, R, d], R = 1 on the last block
    const h = g.add(xr, last ? g.slice(att, [K - 1], [K], [1]) : att); // [B, R, d]
    x = g.add(h, mlp(g, c, layerNorm(g, h, `${pre}.ln2`), pre, counter)); // [B, R, d]
  }
  return actionHead(g, x, head); // [B, 1, out]
}

interface Masks {
  /** bool [B, 1, K, K] */
  allowed: string;
  /** float32 [B, 1, K, K] */
  allowedF: string;
}

/** x [B, K, d] (after ln1) -> [B, K, d] */
function attention(g: GraphBuilder, c: StepGraphConfig, x: string, pre: string, m: Masks, counter?: SpikeCounter): string {
  const d = c.dModel;
  const qkv = linear(g, x, `${pre}.attn.qkv`); // [B, K, 3d]
  const part = (j: number) => g.slice(qkv, [j * d], [(j + 1) * d], [2]); // [B, K, d]
  if (c.kind === "ann-strl") {
    const act = c.activation!;
    const [q, k, v] = [0, 1, 2].map((j) => activate(g, part(j), act));
    if (c.attention === "strl") {
      return realAttention(g, q!, k!, v!, d, { H: c.nHeads, scale: c.scale, weights: "softmax", scoreAct: act, mask: additiveMask(g, m.allowed) });
    }
    return activate(g, realAttention(g, q!, k!, v!, d, { H: c.nHeads, scale: c.scale, weights: "linear", mask: m.allowedF }), act);
  }
  const T = c.T!;
  const neuron = c.neuron!;
  const H = c.nHeads;
  const dh = d / H;
  const lif = (name: string, input: string) => lifGraph(g, neuron, { name: `${pre}.attn.${name}`, T, inputs: [input], counter }).spikes;
  const q = lif("q_lif", part(0)); // T x [B, K, d]
  const k = lif("k_lif", part(1));
  const v = lif("v_lif", part(2));
  const scale = g.f64(c.scale);
  const scores: string[] = [];
  const vh: string[] = [];
  for (let t = 0; t < T; t++) {
    const counts = g.matmul(splitHeads(g, q[t]!, H, dh), splitHeadsT(g, k[t]!, H, dh)); // [B, H, K, K]
    scores.push(g.cast(g.mul(g.cast(counts, "float64"), scale), "float32")); // [B, H, K, K]
    vh.push(splitHeads(g, v[t]!, H, dh)); // [B, H, K, dh]
  }
  if (c.attention === "spike-driven") {
    const ys = scores.map((s, t) => joinHeads(g, g.matmul(g.mul(s, m.allowedF), vh[t]!), d)); // T x [B, K, d]
    return lifGraph(g, neuron, { name: `${pre}.attn.out_lif`, T, inputs: ys, mean: true, counter }).mean!; // [B, K, d]
  }
  const spikes = lifGraph(g, neuron, { name: `${pre}.attn.score_lif`, T, inputs: scores, countMask: m.allowedF, counter }).spikes;
  const outs = spikes.map((sp, t) => {
    const w = g.mul(g.where(g.op("Greater", [sp, g.f32(0)]), g.f32(Math.E), g.f32(1)), m.allowedF); // [B, H, K, K]
    const z = g.op("Max", [g.op("ReduceSum", [w, g.i64([-1])], { keepdims: { int: 1 } }), g.f32(1)]); // [B, H, K, 1]
    return g.div(g.matmul(w, vh[t]!), z); // [B, H, K, dh]
  });
  return joinHeads(g, g.mul(g.addAll(outs), g.f32(1 / T)), d); // [B, K, d]
}

/** x [B, R, d] (after ln2) -> [B, R, d] */
function mlp(g: GraphBuilder, c: StepGraphConfig, x: string, pre: string, counter?: SpikeCounter): string {
  if (c.kind === "ann-strl") {
    const act = c.activation!;
    return activate(g, linear(g, activate(g, linear(g, x, `${pre}.mlp.fc1`), act), `${pre}.mlp.fc2`), act);
  }
  const T = c.T!;
  const u = linear(g, x, `${pre}.mlp.fc1`); // [B, R, r·d], once for all T
  const s = lifGraph(g, c.neuron!, { name: `${pre}.mlp.lif1`, T, inputs: [u], counter }).spikes; // T x [B, R, r·d]
  const z = s.map((st) => linear(g, st, `${pre}.mlp.fc2`)); // T x [B, R, d]
  return lifGraph(g, c.neuron!, { name: `${pre}.mlp.lif2`, T, inputs: z, mean: true, counter }).mean!; // [B, R, d]
}
