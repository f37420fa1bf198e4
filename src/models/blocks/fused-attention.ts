/**
 * The fused softmax attention of the Decision Transformer and ANN-STRL on the native engine: from the fused
 * projection qkv [B, L, 3d] to the heads' merged output [B, L, d] as ONE differentiable op (scale, the score
 * activation, the causal and key-padding mask, softmax, dropout on the weights, · V), tiled in
 * native/src/attention_kernels.cc so the [B, H, L, L] scores and weights never exist whole. The composed tfjs ops
 * (real-attention.ts `realAttention`) stay the path of the wasm engine and of STRL_ATTENTION=composed.
 *
 * Dropout: the keep mask is not drawn from the Rng stream cell by cell (that stream is sequential, so forward and
 * backward would have to store the [B, H, L, L] mask). Each call draws one 64-bit seed (two `nextU32`) from the
 * model's dropout Rng, and the kernel hashes (seed, cell index) into each cell's keep decision: the forward and
 * the backward recompute the same mask per tile, and the threads never change it. The masks differ from the
 * composed path's (same p, same scale 1/(1 - p), another draw); with dropout off both paths agree to rounding.
 *
 * A query with no allowed key (a padded step whose earlier keys are all padding) outputs 0 and passes no
 * gradient, on both paths (the composed softmax over all-masked scores would be uniform over every key).
 */
import { jsKernel, nativeEngine, type AttentionSpec, type NativeEngine, type Rng, type Tensor } from "../../tensor/index.js";
import type { ActivationName } from "./activation.js";

export type AttentionPath = "fused" | "composed";

let path: AttentionPath | undefined;

/** STRL_ATTENTION=fused (the default) or composed, read once; `setAttentionPath` overrides it in code. */
export function attentionPath(): AttentionPath {
  if (path === undefined) {
    const v = typeof process === "undefined" ? undefined : process.env?.STRL_ATTENTION;
    if (v !== undefined && v !== "fused" && v !== "composed") throw new RangeError(`STRL_ATTENTION must be 'fused' or 'composed', got '${v}'`);
    path = v ?? "fused";
  }
  return path;
}

/** Chooses the attention path for this process (tests and benchmarks compare the two). */
export function setAttentionPath(p: AttentionPath): void {
  path = p;
}

/** The native engine when the fused op runs (native engine loaded and the fused path chosen), else undefined. */
export function fusedAttentionEngine(): NativeEngine | undefined {
  const engine = nativeEngine();
  return engine && attentionPath() === "fused" ? engine : undefined;
}

export interface FusedAttentionOptions {
  nHeads: number;
  scale: number;
  /** activation on the scaled scores before the softmax (ANN-STRL) */
  scoreAct?: ActivationName;
  /** [B, L] 1 = real key */
  keyMask: Uint8Array;
  causal: boolean;
  /** dropout on the attention weights (active when training and p > 0) */
  dropout?: { p: number; rng: Rng; training: boolean };
}

interface Saved {
  qkv: Float32Array;
  out: Float32Array;
  lse: Float32Array;
}

/** qkv [B, L, 3d] (q | k | v) -> [B, L, d] on the native engine. */
export function fusedAttention(engine: NativeEngine, qkv: Tensor, o: FusedAttentionOptions): Tensor {
  const [B, L, d3] = qkv.shape as [number, number, number];
  const d = d3 / 3;
  const H = o.nHeads;
  if (!Number.isInteger(d) || d % H !== 0) throw new RangeError(`fusedAttention: last dim ${d3} must be 3·d with d divisible by H = ${H}`);
  if (o.keyMask.length !== B * L) throw new RangeError(`fusedAttention: keyMask has ${o.keyMask.length} entries, expected B·L = ${B * L}`);
  const dr = o.dropout;
  if (dr && !(dr.p >= 0 && dr.p < 1)) throw new RangeError(`dropout p must be in [0, 1), got ${dr.p}`);
  const p = dr && dr.training ? dr.p : 0;
  const seed: [number, number] = p > 0 ? [dr!.rng.nextU32(), dr!.rng.nextU32()] : [0, 0];
  const spec: AttentionSpec = { B, L, H, dh: d / H, keyMask: o.keyMask, causal: o.causal, scale: o.scale, act: o.scoreAct ?? "none", p, seed };
  return jsKernel<Saved>(
    qkv,
    [B, L, d],
    (x) => {
      const out = new Float32Array(B * L * d); // [B, L, d]
      const lse = new Float32Array(B * H * L); // [B, H, L]
      engine.attentionForward({ ...spec, qkv: x, out, lse });
      return { y: out, state: { qkv: x, out, lse } };
    },
    (dOut, s) => {
      const dqkv = new Float32Array(B * L * d3); // [B, L, 3d]
      engine.attentionBackward({ ...spec, qkv: s.qkv, out: s.out, lse: s.lse, dOut, dqkv });
      return dqkv;
    },
  );
}
