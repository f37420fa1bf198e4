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

/**
 * What an energy count includes (see docs/energy.md).
 * - `path`: "full" = the whole forward pass (offline windows); "last" = `forwardLast`, what a closed-loop decision
 *   of every transformer (STRL, ANN-STRL, the DT) runs: every block but the last in full, the last block's
 *   attention over every query row, then everything position-wise (the DT's output projection, the MLP, the DT's
 *   final LayerNorm, the head) on the decision's row only.
 * - `qk`: how the binary score product q·kᵀ is charged: "coincidences" (default) = the accumulates that ran,
 *   one per (t, query, key, channel) where q AND k spiked (the monitor's `<attn>.qk` rate, events / capacity);
 *   "q-rate" = the older convention, T x rate(q) x pairs x dh.
 * - `extras`: also count every LayerNorm (the embedding's and two per block; 4 MACs per feature), softmax (3 MACs
 *   per score cell and step), the LIF membrane updates (1 MAC per neuron-step) or, in an ANN, the activations
 *   (1 MAC per element), the embedding sums, residual adds and the mean over T (adds at E_AC). Off by default, as
 *   in the literature; on, it is the work any hardware does besides the matrix products.
 */
export interface OpOptions {
  path?: "full" | "last";
  qk?: "coincidences" | "q-rate";
  extras?: boolean;
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
  /** "strl" (softmax over binary scores) or "spike-driven"; ANN-STRL: its real attention (softmax). */
  attention?: string;
}

/**
 * Operations of one decision of the STRL architecture over `L` real steps, batch 1. With `spikes` (STRL): the
 * layers whose input is spikes are SOPs = T x rate x MACs (the score product q·kᵀ at the measured coincidence
 * rate, or at q's rate with `qk: "q-rate"`; the attention-value product at the rate of v; fc2 at the rate of
 * lif1); real-input layers are MACs computed once for all T (direct encoding). Without (ANN-STRL): every layer
 * is MACs. Layer names are the same for both. `o.path` "last" charges the last block's MLP and the head on one row.
 */
export function stepTransformerOps(c: StepOpsConfig, L: number, spikes?: { T: number; rates: Record<string, number> }, o: OpOptions = {}): OpRecord[] {
  const d = c.dModel;
  const T = spikes?.T ?? 1;
  const cells = attentionPairs(L, c.causal) * c.nHeads; // score cells of one step
  const pairs = cells * c.headDim;
  // STRL states the direct-encoding saving explicitly: its real-input layers run once for all T.
  const once = spikes ? { repeats: 1 } : {};
  const spikeOr = (layer: string, macs: number, lif: string): OpRecord =>
    spikes ? { layer, input: "spike", macs, T: spikes.T, rate: rateOf(spikes.rates, lif) } : { layer, input: "real", macs };
  const out: OpRecord[] = [
    { layer: "embed.rtg", input: "real", macs: linearMacs(L, 1, d) },
    { layer: "embed.state", input: "real", macs: linearMacs(L, c.obsDim, d) },
  ];
  if (c.head.kind === "continuous") out.push({ layer: "embed.prev_action", input: "real", macs: linearMacs(L, c.head.dim, d) });
  const extra = (layer: string, macs: number): void => {
    if (o.extras) out.push({ layer, input: "real", macs });
  };
  const adds = (layer: string, n: number): void => {
    if (o.extras) out.push({ layer, input: "add", adds: n });
  };
  adds("embed.sum", 4 * L * d); // W_r·G + W_s·s + E_a + E_t + p: 4 adds per feature
  extra("embed.ln", 4 * L * d);
  for (let i = 0; i < c.nBlocks; i++) {
    const p = `blocks.${i}`;
    const rows = o.path === "last" && i === c.nBlocks - 1 ? 1 : L; // rows after the attention (residual, MLP)
    const qk = spikes && (o.qk ?? "coincidences") === "coincidences" && spikes.rates[`${p}.attn.qk`] !== undefined;
    extra(`${p}.ln1`, 4 * L * d);
    out.push(
      { layer: `${p}.attn.qkv`, input: "real", macs: linearMacs(L, d, 3 * d), ...once },
      qk ? spikeOr(`${p}.attn.scores`, pairs, `${p}.attn.qk`) : spikeOr(`${p}.attn.scores`, pairs, `${p}.attn.q_lif`),
      spikeOr(`${p}.attn.av`, pairs, `${p}.attn.v_lif`),
    );
    const spikeDriven = c.attention === "spike-driven";
    if (!spikeDriven) extra(`${p}.attn.softmax`, 3 * cells * T);
    if (spikes) extra(`${p}.attn.lif`, T * (3 * L * d + (spikeDriven ? L * d : cells)));
    else extra(`${p}.attn.act`, 3 * L * d + (spikeDriven ? L * d : cells)); // ANN-STRL: the activation in place of each LIF
    if (spikes) adds(`${p}.attn.mean_t`, (T - 1) * L * d);
    adds(`${p}.residual1`, rows * d);
    extra(`${p}.ln2`, 4 * rows * d);
    out.push(
      { layer: `${p}.mlp.fc1`, input: "real", macs: linearMacs(rows, d, c.mlpRatio * d), ...once },
      spikeOr(`${p}.mlp.fc2`, linearMacs(rows, c.mlpRatio * d, d), `${p}.mlp.lif1`),
    );
    if (spikes) extra(`${p}.mlp.lif`, T * rows * (c.mlpRatio * d + d));
    else extra(`${p}.mlp.act`, rows * (c.mlpRatio * d + d));
    if (spikes) adds(`${p}.mlp.mean_t`, (T - 1) * rows * d);
    adds(`${p}.residual2`, rows * d);
  }
  const headRows = o.path === "last" ? 1 : L;
  out.push({ layer: "head", input: "real", macs: linearMacs(headRows, d, c.head.kind === "discrete" ? c.head.n : c.head.dim) });
  return out;
}
