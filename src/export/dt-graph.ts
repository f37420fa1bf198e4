/**
 * The Decision Transformer (src/models/dt.ts) as one ONNX graph for one decision, following `DtModel.forwardLast`:
 * three tokens per step (R_t, s_t, a_t), each embedding plus the timestep's, interleaved into 3K tokens,
 * LayerNorm, GPT-2 pre-norm blocks with causal softmax attention (padding steps masked as keys), the last
 * block's projection, residuals and MLP on the decision's state token (token 3K - 2) only, the final LayerNorm
 * and the head.
 */
import type { ActivationName } from "../models/blocks/activation.js";
import type { GraphBuilder } from "./graph.js";
import { actionInput, additiveMask, allowedKeys, rtgInput, stateInputs, timestepInput, type WindowSpec } from "./inputs.js";
import { actionHead, activate, embedding, layerNorm, linear, realAttention } from "./layers-graph.js";

export interface DtGraphConfig extends WindowSpec {
  maxTimestep: number;
  dModel: number;
  nBlocks: number;
  nHeads: number;
  activation: ActivationName;
}

/** Builds the graph's body; returns the prediction at the last step's state token [B, 1, out]. */
export function dtGraph(g: GraphBuilder, c: DtGraphConfig): string {
  const K = c.contextLength;
  const d = c.dModel;
  const p = stateInputs(g, c);
  const t = embedding(g, timestepInput(g, c, p), "embed.timestep"); // [B, K, d]
  const r = g.add(linear(g, rtgInput(g, c, p), "embed.rtg"), t); // [B, K, d]
  const s = g.add(linear(g, p.states, "embed.state"), t); // [B, K, d]
  // a_t of the current step (row K - 1) is unknown at decision time: strl's window holds 0 there, and so does the graph
  const current = Array.from({ length: K }, (_, k) => (k === K - 1 ? 1 : 0));
  const given = actionInput(g, "actions", c, p, 0); // [B, K] | [B, K, dim]
  const actions =
    c.head.kind === "discrete"
      ? g.where(g.constant("bool", [1, K], current, "current"), g.constant("int64", [], [0]), given) // [B, K]
      : g.mul(given, g.constant("float32", [1, K, 1], current.map((v) => 1 - v), "past")); // [B, K, dim]
  const a = g.add(c.head.kind === "discrete" ? embedding(g, actions, "embed.action") : linear(g, actions, "embed.action"), t); // [B, K, d]
  const tokens = g.reshape(g.concat([r, s, a].map((e) => g.unsqueeze(e, [2])), 2), [0, 3 * K, d]); // [B, K, 3, d] -> [B, 3K, d]
  let x = layerNorm(g, tokens, "embed.ln"); // [B, 3K, d]
  const real3 = g.reshape(g.concat([0, 1, 2].map(() => g.unsqueeze(p.real, [2])), 2), [0, 3 * K]); // [B, 3K] bool
  const mask = additiveMask(g, allowedKeys(g, real3, 3 * K, true)); // [B, 1, 3K, 3K]
  const row = 3 * K - 2;
  for (let i = 0; i < c.nBlocks; i++) {
    const pre = `blocks.${i}`;
    const qkv = linear(g, layerNorm(g, x, `${pre}.ln1`), `${pre}.attn.qkv`); // [B, 3K, 3d]
    const [q, k, v] = [0, 1, 2].map((j) => g.slice(qkv, [j * d], [(j + 1) * d], [2])); // [B, 3K, d] each
    let att = realAttention(g, q!, k!, v!, d, { H: c.nHeads, scale: 1 / Math.sqrt(d / c.nHeads), weights: "softmax", mask }); // [B, 3K, d]
    let xr = x;
    if (i === c.nBlocks - 1) {
      att = g.slice(att, [row], [row + 1], [1]); // [B, 1, d]
      xr = g.slice(x, [row], [row + 1], [1]); // [B, 1, d]
    }
    const h = g.add(xr, linear(g, att, `${pre}.attn.proj`)); // [B, R, d]
    const m = linear(g, activate(g, linear(g, layerNorm(g, h, `${pre}.ln2`), `${pre}.mlp.fc1`), c.activation), `${pre}.mlp.fc2`); // [B, R, d]
    x = g.add(h, m); // [B, R, d]
  }
  return actionHead(g, layerNorm(g, x, "ln_f"), c.head); // [B, 1, out]
}
