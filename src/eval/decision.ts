/**
 * What one decision did inside a model, for displays (the browser page): the spikes of every LIF layer
 * (`captureSpikes`), the firing rate of each layer during that decision, and the energy of that decision for the
 * model and for the ANN-STRL of the same size (`energyOfDecisions`, the accounting `strl energy` uses), plus the
 * running energy per decision of the episode so far, which equals `strl energy`'s number for the same episode.
 * A thin layer over spikes.ts and measured-energy.ts: the counting lives there.
 */
import { CMOS_45NM, type DeviceProfile } from "../energy/index.js";
import { modelFromJSON } from "../models/factory.js";
import type { PolicyModel } from "../models/types.js";
import { FiringRateMonitor, namedNeurons } from "../snn/index.js";
import { energyOfDecisions, readRates, TokenHistogram, type ModelEnergy } from "./measured-energy.js";
import { captureSpikes, type LayerSpikes } from "./spikes.js";
import { watchAttention, type AttentionRow } from "./attention-row.js";

export interface DecisionTrace {
  /** Real (unpadded) tokens of the decision's window. */
  tokens: number;
  /** Spikes [T][n] of the decision token in each LIF layer that ran (and their membrane, with `membrane`). */
  spikes: LayerSpikes[];
  /** The decision row's score spikes and softmax weights per "strl" attention block (with `attention`). */
  attention?: AttentionRow[];
  /** Firing rate of each LIF layer during this decision (spikes / neuron-steps over the whole window). */
  rates: Record<string, number>;
  /** Energy of this decision (pJ). */
  energyPj: number;
  /**
   * Neuron-steps of this decision whose membrane sat within `NEAR_THRESHOLD` of the threshold (|H - v_th| <=
   * NEAR_THRESHOLD · max(1, |v_th|)): where another engine's rounding could flip the spike, and so the action.
   */
  nearThreshold: number;
  /** The same decision by the ANN-STRL of the same size (pJ); undefined for models without one (DT, BC). */
  annEnergyPj?: number;
}

/**
 * The ANN-STRL with an STRL model's architecture (the "same size" real-valued twin; only its op counts are used),
 * the model itself for an ANN-STRL, undefined for the other kinds.
 */
export function annTwinOf(model: PolicyModel): Pick<PolicyModel, "kind" | "opRecords"> | undefined {
  if (model.kind === "ann-strl") return model;
  if (model.kind !== "strl") return undefined;
  const json: Record<string, unknown> = { ...model.config.toJSON(), kind: "ann-strl" };
  delete json.T;
  delete json.neuron;
  const twin = modelFromJSON(json);
  return { kind: twin.kind, opRecords: twin.opRecords.bind(twin) };
}

/** Relative distance to threshold counted as "within float rounding" (float32 sums differ by a few ulps of their terms). */
export const NEAR_THRESHOLD = 1e-5;

export class DecisionInspector {
  private readonly perDecision = new FiringRateMonitor();
  private readonly perEpisode = new FiringRateMonitor();
  private tokens = new TokenHistogram();
  private near = 0;
  private readonly offNear: Array<() => void> = [];
  private readonly twin: Pick<PolicyModel, "kind" | "opRecords"> | undefined;

  constructor(
    readonly model: PolicyModel,
    /**
     * `membrane`: keep the membrane H_t of the decision token's neurons; `attention`: the decision row's attention
     * (both read from the reports the LIFs send anyway, for the last token row only).
     */
    readonly opts: { profile?: DeviceProfile; maxNeurons?: number; membrane?: boolean; attention?: boolean } = {},
  ) {
    this.perDecision.attach(model);
    this.perEpisode.attach(model);
    this.twin = annTwinOf(model);
    for (const [, lif] of namedNeurons(model)) {
      const tol = NEAR_THRESHOLD * Math.max(1, Math.abs(lif.config.vThreshold));
      this.offNear.push(
        lif.addListener((_s, _n, _T, detail) => {
          const margins = detail?.d; // [T, n] H - v_th
          if (!margins) return;
          for (let i = 0; i < margins.length; i++) if (Math.abs(margins[i]!) <= tol) this.near++;
        }),
      );
    }
  }

  /** Runs one decision (`decide` makes exactly one forward pass over a window of `tokens` real steps). */
  async inspect<A>(tokens: number, decide: () => A | Promise<A>): Promise<{ value: A; trace: DecisionTrace }> {
    this.perDecision.clear();
    this.near = 0;
    // the batch-1 window is left-padded: rates count its last `tokens` positions only, as evaluateWithEnergy does
    const K = this.model.contextLength;
    const mask = new Float32Array(K);
    mask.fill(1, K - tokens);
    this.perDecision.setTokens(mask, 1, K);
    this.perEpisode.setTokens(mask, 1, K);
    let value!: A | Promise<A>;
    const stopAttention = this.opts.attention ? watchAttention(this.model) : undefined;
    let attention: AttentionRow[] | undefined;
    let spikes: LayerSpikes[];
    try {
      spikes = captureSpikes(this.model, () => {
        value = decide();
      }, { maxNeurons: this.opts.maxNeurons ?? 64, membrane: this.opts.membrane });
    } finally {
      attention = stopAttention?.();
    }
    const resolved = await value;
    const counted = readRates(this.perDecision); // LIF rates plus each score LIF's q·k coincidence rate (`<attn>.qk`)
    const rates: Record<string, number> = {};
    for (const [n, r] of Object.entries(this.perDecision.rates())) rates[n] = r.rate; // LIF layers only, for display
    this.tokens.add(tokens);
    const one = new TokenHistogram();
    one.add(tokens);
    const profile = this.opts.profile ?? CMOS_45NM;
    const energyPj = energyOfDecisions(this.model, one, counted, profile, { path: this.path() }).energyPerDecisionPj;
    const annEnergyPj = this.twin ? energyOfDecisions(this.twin, one, {}, profile, { path: this.path() }).energyPerDecisionPj : undefined;
    return { value: resolved, trace: { tokens, spikes, attention, rates, nearThreshold: this.near, energyPj, annEnergyPj } };
  }

  /** Energy per decision over the episode so far (as `strl energy` counts the same decisions); undefined before any. */
  episodeEnergy(): { model: ModelEnergy; ann?: ModelEnergy } | undefined {
    if (this.tokens.decisions === 0) return undefined;
    const rates = readRates(this.perEpisode);
    const profile = this.opts.profile ?? CMOS_45NM;
    const path = this.path();
    return {
      model: energyOfDecisions(this.model, this.tokens, rates, profile, { path }),
      ann: this.twin ? energyOfDecisions(this.twin, this.tokens, {}, profile, { path }) : undefined,
    };
  }

  /** The pass a decision runs: "last" (forwardLast) for STRL, ANN-STRL and the DT, else "full" (measured-energy's rule). */
  private path(): "last" | "full" {
    return typeof this.model.forwardLast === "function" ? "last" : "full";
  }

  /** Starts a new episode's totals. */
  resetEpisode(): void {
    this.perEpisode.clear();
    this.tokens = new TokenHistogram();
  }

  detach(): void {
    this.perDecision.detach();
    this.perEpisode.detach();
    for (const off of this.offNear.splice(0)) off();
  }
}
