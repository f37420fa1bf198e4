/**
 * Spiking self-attention (SSA) with direct encoding over T steps. q, k, v come from one fused Linear d -> 3d
 * (no bias) computed ONCE on the real input; each gets its own LIF fed the same input at every step
 * (`forwardRepeated`, identical to repeating the input T times).
 *
 * kind "strl" (the paper's): scores_t = scale · q_t k_tᵀ per head -> LIF (binary) -> softmax over the allowed
 *   keys -> · v_t -> concatenate heads -> mean over T. No output projection.
 * kind "spike-driven" (Spikformer / DSFormer): y_t = (scale · q_t k_tᵀ ⊙ mask) · v_t -> LIF -> mean over T.
 *
 * The allowed keys of position i: real steps j (not padding), and j <= i when causal. Everything after the qkv
 * Linear runs as one fused op (`fusedSpikingAttention`).
 */
import type { LIF, LIFOptions } from "../../snn/index.js";
import { Linear, Module, type Rng, type Tensor } from "../../tensor/index.js";
import type { AttentionKind } from "../config/strl-config.js";
import { fusedSpikingAttention } from "./fused-spiking-attention.js";
import { ReportingLIF } from "./reporting-lif.js";

export interface SpikingAttentionOptions {
  dModel: number;
  nHeads: number;
  T: number;
  scale: number;
  kind: AttentionKind;
  causal: boolean;
  neuron: LIFOptions;
}

export class SpikingSelfAttention extends Module {
  readonly qkv: Linear;
  readonly qLif: ReportingLIF;
  readonly kLif: ReportingLIF;
  readonly vLif: ReportingLIF;
  /** LIF on the scores ("strl") or on the attention output ("spike-driven"). */
  readonly attnLif: ReportingLIF;

  constructor(rng: Rng, readonly opts: SpikingAttentionOptions, readonly name: string) {
    super();
    const d = opts.dModel;
    this.qkv = this.addModule("qkv", new Linear(rng, d, 3 * d, { bias: false }));
    this.qLif = new ReportingLIF(opts.neuron, `${name}.q_lif`);
    this.kLif = new ReportingLIF(opts.neuron, `${name}.k_lif`);
    this.vLif = new ReportingLIF(opts.neuron, `${name}.v_lif`);
    this.attnLif = new ReportingLIF(opts.neuron, `${name}.${opts.kind === "strl" ? "score_lif" : "out_lif"}`);
  }

  lifs(): Array<[string, LIF]> {
    return [this.qLif, this.kLif, this.vLif, this.attnLif].map((l) => [l.name, l]);
  }

  /** x [B, K, d] (real), keyMask [B, K] -> [B, K, d] (spike-attention output, mean over T) */
  apply(x: Tensor, keyMask: Uint8Array): Tensor {
    const { T, nHeads: H, scale, causal, kind } = this.opts;
    const qkv = this.qkv.apply(x); // [B, K, 3d], computed once for all T
    const neurons = { q: this.qLif, k: this.kLif, v: this.vLif, attn: this.attnLif };
    return fusedSpikingAttention(qkv, neurons, { T, H, causal, scale, kind, keyMask }); // [B, K, d]
  }
}
