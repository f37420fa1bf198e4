/**
 * ANN-STRL: STRL's architecture with every LIF replaced by a real activation and T = 1 - the like-for-like
 * control for "does spiking help or hurt". Same token, blocks, head and masks as STRL.
 */
import type { MemoryRecord, OpRecord } from "../energy/index.js";
import { AnnStrlConfig, type AnnStrlConfigInit } from "./config/strl-config.js";
import { AnnMlp, AnnSelfAttention } from "./blocks/ann-strl-blocks.js";
import { checkTokens, stepTransformerOps, type OpOptions } from "./blocks/op-counts.js";
import { stepTransformerMemory } from "./blocks/memory-counts.js";
import { warnPaperMode } from "./blocks/paper-mode.js";
import { PreNormBlock, StepTransformer } from "./step-transformer.js";
import type { PolicyModel } from "./types.js";

export class AnnStrlModel extends StepTransformer<AnnSelfAttention, AnnMlp, AnnStrlConfig> implements PolicyModel {
  readonly kind = "ann-strl" as const;

  constructor(config: AnnStrlConfig | AnnStrlConfigInit) {
    const c = config instanceof AnnStrlConfig ? config : new AnnStrlConfig(config);
    super(
      c,
      (rng) =>
        new PreNormBlock(
          c.dModel,
          new AnnSelfAttention(rng, { dModel: c.dModel, nHeads: c.nHeads, scale: c.scale, attention: c.attention, causal: c.causal, activation: c.activation }),
          new AnnMlp(rng, c.dModel, c.mlpRatio, c.activation),
        ),
      "AnnStrlModel",
    );
    if (!c.causal) warnPaperMode("ANN-STRL");
  }

  /**
   * Operations of one decision: the whole forward pass over a context of `tokens` real steps, batch 1, all MACs
   * (every input is real). Same layer names as STRL; `rates` is ignored.
   */
  opRecords(tokens: number, _rates: Record<string, number> = {}, opts: OpOptions = {}): OpRecord[] {
    const c = this.config;
    return stepTransformerOps(c, checkTokens(tokens, c.contextLength), undefined, opts);
  }

  /** Memory traffic of the same decision (src/models/blocks/memory-counts.ts): weights and activations. */
  memoryRecords(tokens: number, _rates: Record<string, number> = {}, opts: OpOptions = {}): MemoryRecord[] {
    const c = this.config;
    return stepTransformerMemory(c, checkTokens(tokens, c.contextLength), undefined, opts);
  }

}
