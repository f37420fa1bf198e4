/**
 * Spiking self-attention (SSA) with direct encoding over T steps. q, k, v come from one fused Linear d -> 3d
 * (no bias) computed ONCE on the real input; each gets its own LIF fed the same input at every step
 * (`forwardRepeated`, identical to repeating the input T times).
 *
 * attention "strl" (the paper's): scores_t = scale · q_t k_tᵀ per head -> LIF (binary) -> softmax over the
 *   allowed keys -> · v_t -> concatenate heads -> mean over T. No output projection.
 * attention "spike-driven" (Spikformer / DSFormer): y_t = (scale · q_t k_tᵀ ⊙ mask) · v_t -> LIF -> mean over
 *   T.
 *
 * The allowed keys of position i: real steps j (not padding), and j <= i when causal. Everything after the qkv
 * Linear runs as one fused op (`fusedSpikingAttention`).
 */
import { LIF, type LIFOptions } from "../../snn/index.js";
import { Linear, Module, type Rng, type Tensor } from "../../tensor/index.js";
import type { AttentionKind } from "../config/strl-config.js";
import { fusedSpikingAttention } from "./fused-spiking-attention.js";

export interface SpikingAttentionOptions {
  dModel: number;
  nHeads: number;
  T: number;
  scale: number;
  attention: AttentionKind;
  causal: boolean;
  neuron: LIFOptions;
}

export class SpikingSelfAttention extends Module {
  readonly qkv: Linear;
  /** The neurons run inside the fused kernel, which reports their spikes through them. */
  readonly qLif: LIF;
  readonly kLif: LIF;
  readonly vLif: LIF;
  /** LIF on the scores ("strl", `score_lif`) or on the attention output ("spike-driven", `out_lif`). */
  readonly attnLif: LIF;

  constructor(rng: Rng, readonly opts: SpikingAttentionOptions) {
    super();
    const d = opts.dModel;
    this.qkv = this.addModule("qkv", new Linear(rng, d, 3 * d, { bias: false }));
    this.qLif = this.addModule("q_lif", new LIF(opts.neuron));
    this.kLif = this.addModule("k_lif", new LIF(opts.neuron));
    this.vLif = this.addModule("v_lif", new LIF(opts.neuron));
    this.attnLif = this.addModule(opts.attention === "strl" ? "score_lif" : "out_lif", new LIF(opts.neuron));
  }

  /** x [B, K, d] (real), keyMask [B, K] -> [B, K, d] (spike-attention output, mean over T) */
  apply(x: Tensor, keyMask: Uint8Array): Tensor {
    const { T, nHeads, scale, causal, attention } = this.opts;
    const qkv = this.qkv.apply(x); // [B, K, 3d], computed once for all T
    const neurons = { q: this.qLif, k: this.kLif, v: this.vLif, attn: this.attnLif };
    return fusedSpikingAttention(qkv, neurons, { T, nHeads, causal, scale, attention, keyMask }); // [B, K, d]
  }
}
