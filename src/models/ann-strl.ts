/**
 * ANN-STRL: STRL's architecture with every LIF replaced by a real activation and T = 1 - the like-for-like
 * control for "does spiking help or hurt". Same token, blocks, head and masks as STRL.
 */
import type { OpRecord } from "../energy/index.js";
import { linearMacs } from "../energy/index.js";
import type { LIF } from "../snn/index.js";
import { AnnStrlConfig, type AnnStrlConfigInit } from "./config/strl-config.js";
import { AnnMlp, AnnSelfAttention } from "./blocks/ann-strl-blocks.js";
import { attentionPairs, checkTokens } from "./blocks/energy.js";
import { warnPaperMode } from "./blocks/paper-mode.js";
import { PreNormBlock, StepTransformer } from "./step-transformer.js";
import type { PolicyModel } from "./types.js";

export class AnnStrlModel extends StepTransformer<AnnSelfAttention, AnnMlp> implements PolicyModel {
  readonly kind = "ann-strl" as const;
  readonly config: AnnStrlConfig;

  constructor(config: AnnStrlConfig | AnnStrlConfigInit) {
    const c = config instanceof AnnStrlConfig ? config : new AnnStrlConfig(config);
    super(
      c,
      (rng) =>
        new PreNormBlock(
          c.dModel,
          new AnnSelfAttention(rng, { dModel: c.dModel, nHeads: c.nHeads, scale: c.scale, kind: c.attention, causal: c.causal, activation: c.activation }),
          new AnnMlp(rng, c.dModel, c.mlpRatio, c.activation),
        ),
      "AnnStrlModel",
    );
    this.config = c;
    if (!c.causal) warnPaperMode("ANN-STRL");
  }

  /** None: an ANN has no spiking layers. */
  spikingLayers(): Array<[string, LIF]> {
    return [];
  }

  /**
   * Operations of one decision: the whole forward pass over a context of `tokens` real steps, batch 1, all MACs
   * (every input is real). Same layer names as STRL; `rates` is ignored.
   */
  opRecords(tokens: number, _rates: Record<string, number> = {}): OpRecord[] {
    const c = this.config;
    const L = checkTokens(tokens, c.contextLength);
    const d = c.dModel;
    const pairs = attentionPairs(L, c.causal) * c.nHeads * c.headDim;
    const out: OpRecord[] = [
      { layer: "embed.rtg", input: "real", macs: linearMacs(L, 1, d) },
      { layer: "embed.state", input: "real", macs: linearMacs(L, c.obsDim, d) },
    ];
    if (c.head.kind === "continuous") out.push({ layer: "embed.prev_action", input: "real", macs: linearMacs(L, c.head.dim, d) });
    this.blocks.items.forEach((_, i) => {
      const p = `blocks.${i}`;
      out.push(
        { layer: `${p}.attn.qkv`, input: "real", macs: linearMacs(L, d, 3 * d) },
        { layer: `${p}.attn.scores`, input: "real", macs: pairs },
        { layer: `${p}.attn.av`, input: "real", macs: pairs },
        { layer: `${p}.mlp.fc1`, input: "real", macs: linearMacs(L, d, c.mlpRatio * d) },
        { layer: `${p}.mlp.fc2`, input: "real", macs: linearMacs(L, c.mlpRatio * d, d) },
      );
    });
    out.push({ layer: "head", input: "real", macs: linearMacs(L, d, c.head.kind === "discrete" ? c.head.n : c.head.dim) });
    return out;
  }
}
