/** Helpers for the models' `opRecords` (energy per decision, see src/energy). */
import { linearMacs, type OpRecord } from "../../energy/index.js";
import type { ActionHead } from "../types.js";

/** Query-key pairs one head scores over `L` positions: L(L+1)/2 when causal, L² otherwise. */
export function attentionPairs(L: number, causal: boolean): number {
  return causal ? (L * (L + 1)) / 2 : L * L;
}

/** The measured firing rate of spiking layer `name`; a missing or invalid rate is an error naming the layer. */
export function rateOf(rates: Record<string, number>, name: string): number {
  const r = rates[name];
  if (typeof r !== "number" || !(r >= 0 && r <= 1)) {
    throw new RangeError(`opRecords: rates['${name}'] must be a firing rate in [0, 1], got ${String(r)}`);
  }
  return r;
}

export function checkTokens(tokens: number, contextLength: number): number {
  if (!Number.isInteger(tokens) || tokens < 1 || tokens > contextLength) {
    throw new RangeError(`opRecords: tokens must be an integer in [1, ${contextLength}] (the context length), got ${tokens}`);
  }
  return tokens;
}

/** What `stepTransformerOps` needs of an STRL / ANN-STRL config. */
export interface StepOpsConfig {
  obsDim: number;
  head: ActionHead;
  dModel: number;
  nBlocks: number;
  nHeads: number;
  headDim: number;
  mlpRatio: number;
  causal: boolean;
}

/**
 * Operations of one decision of the STRL architecture over `L` real steps, batch 1. With `spikes` (STRL): the
 * layers whose input is spikes are SOPs = T x rate x MACs (the score product q·kᵀ at the rate of q, the
 * attention-value product at the rate of v, fc2 at the rate of lif1); real-input layers are MACs computed once
 * for all T (direct encoding). Without (ANN-STRL): every layer is MACs. Layer names are the same for both.
 */
export function stepTransformerOps(c: StepOpsConfig, L: number, spikes?: { T: number; rates: Record<string, number> }): OpRecord[] {
  const d = c.dModel;
  const pairs = attentionPairs(L, c.causal) * c.nHeads * c.headDim;
  // STRL states the direct-encoding saving explicitly: its real-input layers run once for all T.
  const once = spikes ? { repeats: 1 } : {};
  const spikeOr = (layer: string, macs: number, lif: string): OpRecord =>
    spikes ? { layer, input: "spike", macs, T: spikes.T, rate: rateOf(spikes.rates, lif) } : { layer, input: "real", macs };
  const out: OpRecord[] = [
    { layer: "embed.rtg", input: "real", macs: linearMacs(L, 1, d) },
    { layer: "embed.state", input: "real", macs: linearMacs(L, c.obsDim, d) },
  ];
  if (c.head.kind === "continuous") out.push({ layer: "embed.prev_action", input: "real", macs: linearMacs(L, c.head.dim, d) });
  for (let i = 0; i < c.nBlocks; i++) {
    const p = `blocks.${i}`;
    out.push(
      { layer: `${p}.attn.qkv`, input: "real", macs: linearMacs(L, d, 3 * d), ...once },
      spikeOr(`${p}.attn.scores`, pairs, `${p}.attn.q_lif`),
      spikeOr(`${p}.attn.av`, pairs, `${p}.attn.v_lif`),
      { layer: `${p}.mlp.fc1`, input: "real", macs: linearMacs(L, d, c.mlpRatio * d), ...once },
      spikeOr(`${p}.mlp.fc2`, linearMacs(L, c.mlpRatio * d, d), `${p}.mlp.lif1`),
    );
  }
  out.push({ layer: "head", input: "real", macs: linearMacs(L, d, c.head.kind === "discrete" ? c.head.n : c.head.dim) });
  return out;
}
