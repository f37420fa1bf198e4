/**
 * Multi-head attention on real values (ANN-STRL and the Decision Transformer). The batched products use the
 * tensor engine's `bmm` (one batched sgemm on the native engine; on wasm, per-group 2-D matmuls with explicit
 * transposes in the gradient, see src/tensor/ops.ts).
 */
import { activation, add, bmm, mul, reshape, slice, softmax, tensor, transpose, type Rng, type Tensor } from "../../tensor/index.js";
import { dropout } from "../../tensor/index.js";
import type { ActivationName } from "./activation.js";
import { fusedAttention, fusedAttentionEngine } from "./fused-attention.js";

export { bmm, BMM_LOOP_MIN_MACS } from "../../tensor/index.js";

/**
 * Additive attention mask: 0 where query i may attend key j (key j real, and j <= i when causal), -1e9
 * elsewhere. keyMask [B, L] (1 = real) -> [B, 1, L, L]
 */
export function additiveMask(keyMask: Uint8Array, B: number, L: number, causal: boolean): Tensor {
  const m = new Float32Array(B * L * L); // [B, 1, L, L]
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) {
        const ok = keyMask[b * L + j] === 1 && (!causal || j <= i);
        m[(b * L + i) * L + j] = ok ? 0 : -1e9;
      }
    }
  }
  return tensor(m, [B, 1, L, L]);
}

/** The same mask as 1 (allowed) / 0. keyMask [B, L] -> [B, 1, L, L] */
export function multiplicativeMask(keyMask: Uint8Array, B: number, L: number, causal: boolean): Tensor {
  const m = new Float32Array(B * L * L); // [B, 1, L, L]
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) m[(b * L + i) * L + j] = keyMask[b * L + j] === 1 && (!causal || j <= i) ? 1 : 0;
    }
  }
  return tensor(m, [B, 1, L, L]);
}

/**
 * 1 where query i has at least one allowed key, 0 where it has none (its keys are all padding), or undefined when
 * every row has one. keyMask [B, L] -> [B, L, 1]
 */
export function rowsWithKeys(keyMask: Uint8Array, B: number, L: number, causal: boolean): Tensor | undefined {
  const m = new Float32Array(B * L); // [B, L, 1]
  let empty = false;
  for (let b = 0; b < B; b++) {
    let seen = false;
    let any = false;
    for (let j = 0; j < L; j++) any ||= keyMask[b * L + j] === 1;
    for (let i = 0; i < L; i++) {
      seen ||= keyMask[b * L + i] === 1;
      const ok = causal ? seen : any;
      m[b * L + i] = ok ? 1 : 0;
      empty ||= !ok;
    }
  }
  return empty ? tensor(m, [B, L, 1]) : undefined;
}

/** The mask of a batch's attention: the key mask, and the additive [B, 1, L, L] tensor for the composed path only. */
export interface AttentionMask {
  /** [B, L] 1 = real key */
  keyMask: Uint8Array;
  causal: boolean;
  /** [B, 1, L, L] additive (built only when the composed path runs) */
  additive?: Tensor;
}

/** keyMask [B, L] -> the mask of `softmaxAttention` (the [B, 1, L, L] tensor only where the composed path needs it). */
export function attentionMask(keyMask: Uint8Array, B: number, L: number, causal: boolean): AttentionMask {
  return { keyMask, causal, additive: fusedAttentionEngine() ? undefined : additiveMask(keyMask, B, L, causal) };
}

export interface SoftmaxAttentionOptions {
  nHeads: number;
  scale: number;
  /** activation on the scaled scores before the mask (ANN-STRL) */
  scoreAct?: ActivationName;
  mask: AttentionMask;
  /** dropout on the attention weights */
  dropout?: { p: number; rng: Rng; training: boolean };
}

/**
 * Softmax attention from the fused projection: qkv [B, L, 3d] (q | k | v) -> [B, L, d]. The native engine's fused
 * op (fused-attention.ts) unless STRL_ATTENTION=composed or on wasm; else the composed ops below, with the rows
 * that have no allowed key set to 0 as the fused op does.
 */
export function softmaxAttention(qkv: Tensor, o: SoftmaxAttentionOptions): Tensor {
  const [B, L, d3] = qkv.shape as [number, number, number];
  const { keyMask, causal } = o.mask;
  const engine = fusedAttentionEngine();
  if (engine) return fusedAttention(engine, qkv, { nHeads: o.nHeads, scale: o.scale, scoreAct: o.scoreAct, keyMask, causal, dropout: o.dropout }); // [B, L, d]
  const d = d3 / 3;
  const q = slice(qkv, [0, 0, 0], [B, L, d]); // [B, L, d]
  const k = slice(qkv, [0, 0, d], [B, L, d]); // [B, L, d]
  const v = slice(qkv, [0, 0, 2 * d], [B, L, d]); // [B, L, d]
  const mask = o.mask.additive ?? additiveMask(keyMask, B, L, causal); // [B, 1, L, L]
  const y = realAttention(q, k, v, { nHeads: o.nHeads, scale: o.scale, weights: "softmax", scoreAct: o.scoreAct, mask, dropout: o.dropout }); // [B, L, d]
  const rows = rowsWithKeys(keyMask, B, L, causal); // [B, L, 1]
  return rows ? mul(y, rows) : y; // [B, L, d]
}

export interface RealAttentionOptions {
  /** Heads: the H of the shape comments. */
  nHeads: number;
  scale: number;
  /** "softmax": softmax(scoreAct(scores) + mask) · V. "linear": (scores ⊙ mask) · V, no softmax. */
  weights: "softmax" | "linear";
  /** Activation applied to the scaled scores before the mask (ANN-STRL's stand-in for the score LIF). */
  scoreAct?: ActivationName;
  /** [B, 1, L, L]: additive (weights "softmax") or 0/1 (weights "linear") */
  mask: Tensor;
  /** Dropout on the attention weights (GPT-2's attn_pdrop). */
  dropout?: { p: number; rng: Rng; training: boolean };
}

/** Splits heads: x [B, L, d] -> [B·H, L, dh] */
function heads(x: Tensor, B: number, L: number, H: number, dh: number): Tensor {
  return reshape(transpose(reshape(x, [B, L, H, dh]), [0, 2, 1, 3]), [B * H, L, dh]);
}

/** Multi-head attention core (no projections). q, k, v [B, L, d] -> [B, L, d] */
export function realAttention(q: Tensor, k: Tensor, v: Tensor, o: RealAttentionOptions): Tensor {
  const [B, L, d] = q.shape as [number, number, number];
  const H = o.nHeads; // the shape letter
  const dh = d / H;
  const qh = heads(q, B, L, H, dh); // [B·H, L, dh]
  const kT = reshape(transpose(reshape(k, [B, L, H, dh]), [0, 2, 3, 1]), [B * H, dh, L]); // [B·H, dh, L]
  const vh = heads(v, B, L, H, dh); // [B·H, L, dh]
  let s = reshape(mul(bmm(qh, kT), o.scale), [B, H, L, L]); // [B, H, L, L]
  if (o.scoreAct) s = activation(s, o.scoreAct); // [B, H, L, L]
  let att = o.weights === "softmax" ? softmax(add(s, o.mask), -1) : mul(s, o.mask); // [B, H, L, L]
  if (o.dropout) att = dropout(att, o.dropout.p, o.dropout.rng, o.dropout.training); // [B, H, L, L]
  const y = bmm(reshape(att, [B * H, L, L]), vh); // [B·H, L, dh]
  return reshape(transpose(reshape(y, [B, H, L, dh]), [0, 2, 1, 3]), [B, L, d]); // [B, L, d]
}
