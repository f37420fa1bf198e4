/**
 * Energy ratios between models: each model's energy per decision (and its all-in energy, compute + extras +
 * memory, where known) divided by the ANN-STRL and Decision Transformer baselines'.
 */
import type { ModelKind } from "../models/types.js";

export interface EnergyEntry {
  /** Model name in reports. */
  name: string;
  kind: ModelKind;
  energyPerDecisionPj: number;
  /** Compute + extras + memory (`ModelEnergy.allInPerDecisionPj`), where known. */
  allInPerDecisionPj?: number;
}

export interface EnergyComparison extends EnergyEntry {
  /** energy / energy of the ANN-STRL baseline (undefined without one). */
  ratioToAnn?: number;
  /** energy / energy of the Decision Transformer baseline (undefined without one). */
  ratioToDt?: number;
  /** The same ratios of the all-in energies (compute + extras + memory), where both sides have one. */
  allInRatioToAnn?: number;
  allInRatioToDt?: number;
}

/**
 * Each model's energy per decision as a ratio to the ANN-STRL and DT baselines. The baselines are the entries
 * named in `baselines`, or else the single entry of kind "ann-strl" / "dt" (several of a kind without a name is
 * an error).
 */
export function compareEnergy(entries: EnergyEntry[], baselines: { ann?: string; dt?: string } = {}): EnergyComparison[] {
  if (!Array.isArray(entries) || entries.length === 0) throw new RangeError("compareEnergy: needs at least one entry");
  const names = new Set<string>();
  for (const e of entries) {
    if (typeof e.name !== "string" || e.name.length === 0) throw new RangeError(`compareEnergy: every entry needs a name, got ${JSON.stringify(e.name)}`);
    if (names.has(e.name)) throw new RangeError(`compareEnergy: duplicate model name '${e.name}'`);
    names.add(e.name);
    if (!(Number.isFinite(e.energyPerDecisionPj) && e.energyPerDecisionPj >= 0)) {
      throw new RangeError(`compareEnergy: '${e.name}' energyPerDecisionPj must be a finite number >= 0, got ${e.energyPerDecisionPj}`);
    }
    if (e.allInPerDecisionPj !== undefined && !(Number.isFinite(e.allInPerDecisionPj) && e.allInPerDecisionPj >= 0)) {
      throw new RangeError(`compareEnergy: '${e.name}' allInPerDecisionPj must be a finite number >= 0, got ${e.allInPerDecisionPj}`);
    }
  }
  const pick = (kind: ModelKind, name: string | undefined, label: string): EnergyEntry | undefined => {
    if (name !== undefined) {
      const e = entries.find((x) => x.name === name);
      if (!e) throw new RangeError(`compareEnergy: the ${label} baseline '${name}' is not among the entries (${[...names].join(", ")})`);
      return e;
    }
    const ofKind = entries.filter((x) => x.kind === kind);
    if (ofKind.length > 1) throw new RangeError(`compareEnergy: several '${kind}' entries (${ofKind.map((x) => x.name).join(", ")}); name the ${label} baseline`);
    return ofKind[0];
  };
  const ann = pick("ann-strl", baselines.ann, "ANN-STRL");
  const dt = pick("dt", baselines.dt, "DT");
  const ratio = (e: EnergyEntry, base: EnergyEntry | undefined): number | undefined => {
    if (!base) return undefined;
    if (base.energyPerDecisionPj === 0) throw new RangeError(`compareEnergy: baseline '${base.name}' has zero energy; ratios are undefined`);
    return e.energyPerDecisionPj / base.energyPerDecisionPj;
  };
  const allIn = (e: EnergyEntry, base: EnergyEntry | undefined): number | undefined =>
    base?.allInPerDecisionPj !== undefined && e.allInPerDecisionPj !== undefined && base.allInPerDecisionPj > 0 ? e.allInPerDecisionPj / base.allInPerDecisionPj : undefined;
  return entries.map((e) => {
    const out: EnergyComparison = { name: e.name, kind: e.kind, energyPerDecisionPj: e.energyPerDecisionPj };
    if (e.allInPerDecisionPj !== undefined) out.allInPerDecisionPj = e.allInPerDecisionPj;
    const ra = ratio(e, ann);
    const rd = ratio(e, dt);
    if (ra !== undefined) out.ratioToAnn = ra;
    if (rd !== undefined) out.ratioToDt = rd;
    const aa = allIn(e, ann);
    const ad = allIn(e, dt);
    if (aa !== undefined) out.allInRatioToAnn = aa;
    if (ad !== undefined) out.allInRatioToDt = ad;
    return out;
  });
}
