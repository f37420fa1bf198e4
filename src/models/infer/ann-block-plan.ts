/**
 * One ANN-STRL block (`PreNormBlock` of `AnnSelfAttention` and `AnnMlp`) on the inference path: LayerNorm, the
 * activated q | k | v Linear, real attention over every row (real-attention-plan.ts), then the residual, the
 * LayerNorm and the activated MLP on every row, or on the last one for the last block.
 */
import type { NativeEngine } from "../../tensor/index.js";
import type { AnnMlp, AnnSelfAttention } from "../blocks/ann-strl-blocks.js";
import type { PreNormBlock } from "../step-transformer.js";
import { activateInPlace, LayerNormStep, LinearStep, type WeightCopies } from "./plan.js";
import { RealAttentionStep } from "./real-attention-plan.js";

export class AnnBlockStep {
  /** The block's output: [K, d], or [1, d] (the last position) for the last block. */
  readonly out: Float32Array;
  private readonly ln1: LayerNormStep;
  private readonly qkv: LinearStep;
  private readonly attention: RealAttentionStep;
  private readonly h: Float32Array; // [R, d]
  private readonly ln2: LayerNormStep;
  private readonly fc1: LinearStep;
  private readonly fc2: LinearStep;
  private readonly rows: number; // R: K, or 1 for the last block

  constructor(w: WeightCopies, readonly block: PreNormBlock<AnnSelfAttention, AnnMlp>, readonly K: number, last: boolean, readonly x: Float32Array) {
    const { dModel: d, nHeads: H, scale, attention, causal, activation } = block.attn.opts;
    const R = (this.rows = last ? 1 : K);
    this.ln1 = new LayerNormStep(w, block.ln1, K, x);
    this.qkv = new LinearStep(w, block.attn.qkv, K, this.ln1.y, undefined, activation);
    const strl = attention === "strl";
    this.attention = new RealAttentionStep(
      { L: K, d, H, scale, weights: strl ? "softmax" : "linear", scoreAct: strl ? activation : undefined, causal },
      this.qkv.y,
    );
    this.h = new Float32Array(R * d);
    this.ln2 = new LayerNormStep(w, block.ln2, R, this.h);
    this.fc1 = new LinearStep(w, block.mlp.fc1, R, this.ln2.y, undefined, activation);
    this.fc2 = new LinearStep(w, block.mlp.fc2, R, this.fc1.y, undefined, activation);
    this.out = this.fc2.y;
  }

  /** x [K, d] -> out ([K, d], or the last row [1, d]); km [K] the key mask. */
  run(e: NativeEngine, km: Uint8Array): Float32Array {
    const { K, x, rows: R } = this;
    const { dModel: d, attention, activation: act } = this.block.attn.opts;
    this.ln1.run(e);
    this.qkv.run(e); // [K, 3d] activated
    const att = this.attention.run(e, km); // [K, d]
    if (attention !== "strl") activateInPlace(att, act);
    const off = (K - R) * d;
    const h = this.h;
    for (let i = 0; i < R * d; i++) h[i] = x[off + i]! + att[off + i]!;
    this.ln2.run(e);
    this.fc1.run(e);
    const out = this.fc2.run(e); // [R, d] activated
    for (let i = 0; i < R * d; i++) out[i] = h[i]! + out[i]!;
    return out;
  }
}
