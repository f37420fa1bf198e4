/**
 * Multi-head attention on real values (ANN-STRL, the Decision Transformer) on the inference path: the tfjs
 * path's `realAttention` (real-attention.ts) op for op on preallocated buffers: heads split into [H, L, dh] and
 * kᵀ [H, dh, L], one batched sgemm for the scores, the scale, the score activation, the mask, the native
 * softmax, one batched sgemm with v, the heads merged back.
 */
import type { GemmCall, NativeEngine, SoftmaxCall } from "../../tensor/index.js";
import type { ActivationName } from "../blocks/activation.js";
import { activateInPlace } from "./plan.js";

export interface RealAttentionSpec {
  /** rows (tokens) */
  L: number;
  d: number;
  H: number;
  scale: number;
  /** "softmax": softmax(act(scores) + additive mask) · v; "linear": (scores ⊙ 0/1 mask) · v */
  weights: "softmax" | "linear";
  scoreAct?: ActivationName;
  causal: boolean;
}

export class RealAttentionStep {
  /** [L, d] the heads merged back */
  readonly out: Float32Array;
  private readonly qh: Float32Array; // [H, L, dh]
  private readonly kt: Float32Array; // [H, dh, L]
  private readonly vh: Float32Array; // [H, L, dh]
  private readonly s: Float32Array; // [H, L, L] scores
  private readonly mask: Float32Array; // [L, L] additive (0 / -1e9) or 0 / 1
  private readonly km: Uint8Array; // [L] the key mask the mask was built from
  private readonly scoreCall: GemmCall;
  private readonly softmaxCall: SoftmaxCall | undefined;
  private readonly valueCall: GemmCall;
  private readonly yh: Float32Array; // [H, L, dh]
  private readonly scale: number;

  /** `qkv` [L, 3d]: q | k | v along the last axis (read at every run). */
  constructor(readonly spec: RealAttentionSpec, readonly qkv: Float32Array) {
    const { L, d, H } = spec;
    const dh = d / H;
    this.qh = new Float32Array(L * d);
    this.kt = new Float32Array(L * d);
    this.vh = new Float32Array(L * d);
    this.s = new Float32Array(H * L * L);
    this.mask = new Float32Array(L * L);
    this.km = new Uint8Array(L).fill(2); // no mask yet
    this.yh = new Float32Array(L * d);
    this.out = new Float32Array(L * d);
    this.scale = Math.fround(spec.scale);
    this.scoreCall = { batch: H, M: L, N: L, K: dh, transA: false, transB: false, A: this.qh, strideA: L * dh, B: this.kt, strideB: dh * L, C: this.s };
    let weights = this.s;
    if (spec.weights === "softmax") {
      weights = new Float32Array(H * L * L);
      this.softmaxCall = { x: this.s, rows: H * L, n: L, y: weights };
    }
    this.valueCall = { batch: H, M: L, N: dh, K: L, transA: false, transB: false, A: weights, strideA: L * L, B: this.vh, strideB: L * dh, C: this.yh };
  }

  /** Rebuilds the [L, L] mask when the key mask km [L] (1 = real token) differs from the last one. */
  private setMask(km: Uint8Array): void {
    const { L, causal } = this.spec;
    let same = true;
    for (let j = 0; j < L && same; j++) same = this.km[j] === km[j];
    if (same) return;
    this.km.set(km);
    const soft = this.spec.weights === "softmax";
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) {
        const ok = km[j] === 1 && (!causal || j <= i);
        this.mask[i * L + j] = soft ? (ok ? 0 : -1e9) : ok ? 1 : 0;
      }
    }
  }

  /** qkv [L, 3d] -> out [L, d]; km [L] the key mask. */
  run(e: NativeEngine, km: Uint8Array): Float32Array {
    const { L, d, H } = this.spec;
    const dh = d / H;
    const { qkv, qh, kt, vh, s, mask } = this;
    this.setMask(km);
    for (let l = 0; l < L; l++) {
      const row = l * 3 * d;
      for (let h = 0; h < H; h++) {
        const o = (h * L + l) * dh;
        for (let c = 0; c < dh; c++) {
          qh[o + c] = qkv[row + h * dh + c]!;
          kt[(h * dh + c) * L + l] = qkv[row + d + h * dh + c]!;
          vh[o + c] = qkv[row + 2 * d + h * dh + c]!;
        }
      }
    }
    e.gemm(this.scoreCall); // [H, L, L]
    const scale = this.scale;
    for (let i = 0; i < s.length; i++) s[i] = s[i]! * scale;
    if (this.spec.scoreAct) activateInPlace(s, this.spec.scoreAct);
    const LL = L * L;
    if (this.softmaxCall) {
      for (let h = 0; h < H; h++) for (let i = 0; i < LL; i++) s[h * LL + i] = s[h * LL + i]! + mask[i]!;
      e.softmax(this.softmaxCall);
    } else {
      for (let h = 0; h < H; h++) for (let i = 0; i < LL; i++) s[h * LL + i] = s[h * LL + i]! * mask[i]!;
    }
    e.gemm(this.valueCall); // [H, L, dh]
    const { yh, out } = this;
    for (let h = 0; h < H; h++) {
      for (let l = 0; l < L; l++) {
        const src = (h * L + l) * dh;
        const dst = l * d + h * dh;
        for (let c = 0; c < dh; c++) out[dst + c] = yh[src + c]!;
      }
    }
    return out;
  }
}
