/**
 * Multi-head attention on real values (ANN-STRL and the Decision Transformer). The batched products use
 * `bmm`, whose gradient transposes explicitly (tfjs's own matMul gradient takes the slow transposeA/B path on
 * wasm, see shared/notes/engine.md), and which runs large per-group products as separate 2-D matmuls: wasm's
 * BatchMatMul runs at ~2 GFLOP/s, a 2-D matmul of a [60, 128] x [128, 60] group at ~12 (measured here).
 */
import { add, customGrad, dispose, matMul, mul, reshape, softmax, tensor, transpose, type Rng, type Tensor } from "../../tensor/index.js";
import { dropout } from "../../tensor/index.js";
import { activate, type ActivationName } from "./activation.js";

/** Per-group products of at least this many multiply-adds run as 2-D matmuls (below, BatchMatMul's overhead wins). */
export const BMM_LOOP_MIN_MACS = 100_000;

/** a [G, M, N] · b [G, N, P] -> [G, M, P] (no gradient of its own). */
function batchedProduct(a: Tensor, b: Tensor): Tensor {
  const [G, M, N] = a.shape as [number, number, number];
  const P = b.shape[2]!;
  if (G === 1 || M * N * P < BMM_LOOP_MIN_MACS) return matMul(a, b);
  const av = a.dataSync() as Float32Array; // [G, M, N]
  const bv = b.dataSync() as Float32Array; // [G, N, P]
  const out = new Float32Array(G * M * P); // [G, M, P]
  for (let g = 0; g < G; g++) {
    const x = tensor(av.subarray(g * M * N, (g + 1) * M * N), [M, N]); // [M, N]
    const y = tensor(bv.subarray(g * N * P, (g + 1) * N * P), [N, P]); // [N, P]
    const z = matMul(x, y); // [M, P]
    out.set(z.dataSync() as Float32Array, g * M * P);
    dispose([x, y, z]);
  }
  return tensor(out, [G, M, P]);
}

const bmmOp = customGrad((a: Tensor, b: Tensor, save: (ts: Tensor[]) => void) => {
  // a [G, M, N], b [G, N, P] -> [G, M, P]
  save([a, b]);
  return {
    value: batchedProduct(a, b),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [as, bs] = saved as [Tensor, Tensor];
      return [
        batchedProduct(dy, transpose(bs, [0, 2, 1])), // da [G, M, N] = dy [G, M, P] · bᵀ [G, P, N]
        batchedProduct(transpose(as, [0, 2, 1]), dy), // db [G, N, P] = aᵀ [G, N, M] · dy [G, M, P]
      ];
    },
  };
});

/** Batched matmul with an explicit-transpose gradient. a [G, M, N], b [G, N, P] -> [G, M, P] */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.rank !== 3 || b.rank !== 3 || a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new RangeError(`bmm: shapes [${a.shape}] and [${b.shape}] do not multiply`);
  }
  return bmmOp(a, b);
}

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

export interface RealAttentionOptions {
  H: number;
  scale: number;
  /** "softmax": softmax(scoreAct(scores) + mask) · V. "linear": (scores ⊙ mask) · V, no softmax. */
  kind: "softmax" | "linear";
  /** Activation applied to the scaled scores before the mask (ANN-STRL's stand-in for the score LIF). */
  scoreAct?: ActivationName;
  /** [B, 1, L, L]: additive (kind "softmax") or 0/1 (kind "linear") */
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
  const { H } = o;
  const dh = d / H;
  const qh = heads(q, B, L, H, dh); // [B·H, L, dh]
  const kT = reshape(transpose(reshape(k, [B, L, H, dh]), [0, 2, 3, 1]), [B * H, dh, L]); // [B·H, dh, L]
  const vh = heads(v, B, L, H, dh); // [B·H, L, dh]
  let s = reshape(mul(bmm(qh, kT), o.scale), [B, H, L, L]); // [B, H, L, L]
  if (o.scoreAct) s = activate(s, o.scoreAct); // [B, H, L, L]
  let att = o.kind === "softmax" ? softmax(add(s, o.mask), -1) : mul(s, o.mask); // [B, H, L, L]
  if (o.dropout) att = dropout(att, o.dropout.p, o.dropout.rng, o.dropout.training); // [B, H, L, L]
  const y = bmm(reshape(att, [B * H, L, L]), vh); // [B·H, L, dh]
  return reshape(transpose(reshape(y, [B, H, L, dh]), [0, 2, 1, 3]), [B, L, d]); // [B, L, d]
}
