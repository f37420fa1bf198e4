/**
 * STRL: the spiking transformer of arXiv 2505.14533, causal by default. Summed per-step tokens, pre-norm blocks of
 * spiking self-attention and spiking MLP with direct encoding over T steps (real-input Linears computed once,
 * LIFs fed the same input at every step, outputs averaged over T), a linear action head.
 */
import type { MemoryRecord, OpRecord } from "../energy/index.js";
import { StrlConfig, type StrlConfigInit } from "./config/strl-config.js";
import { checkTokens, stepTransformerOps, type OpOptions } from "./blocks/op-counts.js";
import { stepTransformerMemory } from "./blocks/memory-counts.js";
import { warnPaperMode } from "./blocks/paper-mode.js";
import { SpikingMlp } from "./blocks/spiking-mlp.js";
import { SpikingSelfAttention } from "./blocks/spiking-attention.js";
import { PreNormBlock, StepTransformer } from "./step-transformer.js";
import type { PolicyModel } from "./types.js";

export class StrlModel extends StepTransformer<SpikingSelfAttention, SpikingMlp, StrlConfig> implements PolicyModel {
  readonly kind = "strl" as const;

  constructor(config: StrlConfig | StrlConfigInit) {
    const c = config instanceof StrlConfig ? config : new StrlConfig(config);
    super(
      c,
      (rng) =>
        new PreNormBlock(
          c.dModel,
          new SpikingSelfAttention(
            rng,
            { dModel: c.dModel, nHeads: c.nHeads, T: c.T, scale: c.scale, attention: c.attention, causal: c.causal, neuron: c.neuron },
          ),
          new SpikingMlp(rng, { dModel: c.dModel, mlpRatio: c.mlpRatio, T: c.T, neuron: c.neuron }),
        ),
      "StrlModel",
    );
    if (!c.causal) warnPaperMode("STRL");
  }

  /**
   * Operations of one decision: the whole forward pass over a context of `tokens` real steps, batch 1.
   * Real-input layers (embeddings, qkv, fc1, head) are MACs computed once for all T (direct encoding); layers
   * whose input is spikes are SOPs = T x rate x MACs: the score product q·kᵀ (q·k coincidences when the
   * monitor measured them as `<attn>.qk`, else the rate of q), the attention-value
   * product (rate of v: its real operand, the softmax weights, multiplies binary v), and fc2 (rate of lif1).
   */
  opRecords(tokens: number, rates: Record<string, number>, opts: OpOptions = {}): OpRecord[] {
    const c = this.config;
    return stepTransformerOps(c, checkTokens(tokens, c.contextLength), { T: c.T, rates }, opts);
  }

  /** Memory traffic of the same decision (src/models/blocks/memory-counts.ts): weights, activations, membranes. */
  memoryRecords(tokens: number, rates: Record<string, number>, opts: OpOptions = {}): MemoryRecord[] {
    const c = this.config;
    return stepTransformerMemory(c, checkTokens(tokens, c.contextLength), { T: c.T, rates }, opts);
  }

}
