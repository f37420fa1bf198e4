/**
 * Energy per layer and per decision, with the convention of this literature (docs/energy.md):
 * a layer whose input is real-valued costs MACs x E_MAC; a layer whose input is binary spikes costs synaptic
 * operations SOPs = T x firing-rate(input) x MACs, each x E_AC. Device profiles are plain data.
 */
import { checkMemoryProfile, type MemoryProfile } from "./memory.js";

/** Energy per operation, in picojoules. */
export interface DeviceProfile {
  name: string;
  /** Energy of one multiply-accumulate. */
  eMacPj: number;
  /** Energy of one accumulate (a synaptic operation on a spike). */
  eAcPj: number;
  /**
   * The memory the operands move through (src/energy/memory.ts), priced as its own number beside the compute
   * energy; absent: `SRAM_45NM`. Never added into `energyPerDecisionPj`, the compute-only convention.
   */
  memory?: MemoryProfile;
}

/** 45 nm CMOS, 32-bit float (Horowitz 2014), the field's default. */
export const CMOS_45NM: DeviceProfile = { name: "45nm-fp32", eMacPj: 4.6, eAcPj: 0.9 };

/**
 * 45 nm CMOS, 8-bit integer (the same source: M. Horowitz, "Computing's energy problem (and what we can do about
 * it)", ISSCC 2014, Table: 8-bit add 0.03 pJ, 8-bit multiply 0.2 pJ): E_MAC = 0.2 + 0.03 = 0.23 pJ,
 * E_AC = 0.03 pJ. The profile of a quantised (int8) ANN, the comparison a spiking model must also win.
 */
export const INT8_45NM: DeviceProfile = { name: "45nm-int8", eMacPj: 0.23, eAcPj: 0.03 };

/**
 * The firing rate at which a spike layer (T x rate x MACs accumulates at `snn.eAcPj`) costs as much as the same
 * layer run densely as MACs at `ann.eMacPj`: ann.eMacPj / (T x snn.eAcPj). Above 1 the spike layer is cheaper
 * at any rate (fp32 vs fp32 at T = 4: 4.6 / 3.6 = 1.28).
 */
export function breakEvenRate(T: number, snn: DeviceProfile = CMOS_45NM, ann: DeviceProfile = CMOS_45NM): number {
  if (!Number.isInteger(T) || T < 1) throw new RangeError(`breakEvenRate: T must be an integer >= 1, got ${T}`);
  return ann.eMacPj / (T * snn.eAcPj);
}

/**
 * One layer's operations for one decision.
 * - input "real": `macs` multiply-accumulates, executed `repeats` times (default 1; e.g. T for a real input
 *   that differs per time step, 1 for a direct-encoded input computed once).
 * - input "spike": `macs` is the dense MAC count of one time step; SOPs = T x rate x macs.
 */
export type OpRecord =
  | { layer: string; input: "real"; macs: number; repeats?: number }
  | { layer: string; input: "spike"; macs: number; T: number; rate: number }
  | { layer: string; input: "add"; adds: number };

export interface LayerEnergy {
  layer: string;
  /** "add": element-wise additions (residuals, the mean over T), each at E_AC; only with the extra ops counted. */
  input: "real" | "spike" | "add";
  /** MACs executed (0 for spike-input layers). */
  macs: number;
  /** Synaptic operations (0 for real-input layers). */
  sops: number;
  /** Firing rate of the input (spike layers only). */
  rate?: number;
  energyPj: number;
}

export interface EnergyReport {
  profile: DeviceProfile;
  layers: LayerEnergy[];
  totalMacs: number;
  totalSops: number;
  /** Energy of all records divided by `decisions`. */
  energyPerDecisionPj: number;
  totalEnergyPj: number;
  decisions: number;
}

function nonNegative(what: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new RangeError(`${what} must be a finite number >= 0, got ${String(v)}`);
  return v;
}

/** Validates a user-supplied profile (e.g. from `--device-profile FILE`; `memory` optional). */
export function checkProfile(p: unknown): DeviceProfile {
  if (typeof p !== "object" || p === null) throw new RangeError("device profile must be an object { name, eMacPj, eAcPj }");
  const o = p as Record<string, unknown>;
  if (typeof o.name !== "string" || o.name.length === 0) throw new RangeError("device profile: 'name' must be a non-empty string");
  const out: DeviceProfile = { name: o.name, eMacPj: nonNegative("device profile eMacPj", o.eMacPj), eAcPj: nonNegative("device profile eAcPj", o.eAcPj) };
  if (o.memory !== undefined) out.memory = checkMemoryProfile(o.memory);
  return out;
}

/** MACs of a Linear layer applied to `rows` input rows: rows x in x out. */
export function linearMacs(rows: number, inFeatures: number, outFeatures: number): number {
  return rows * inFeatures * outFeatures;
}

/** Energy of one layer record under a profile. */
export function layerEnergy(r: OpRecord, profile: DeviceProfile = CMOS_45NM): LayerEnergy {
  if (r.input === "add") {
    const adds = nonNegative(`layer '${r.layer}' adds`, r.adds);
    return { layer: r.layer, input: "add", macs: 0, sops: 0, energyPj: adds * profile.eAcPj };
  }
  nonNegative(`layer '${r.layer}' macs`, r.macs);
  if (r.input === "real") {
    const macs = r.macs * nonNegative(`layer '${r.layer}' repeats`, r.repeats ?? 1);
    return { layer: r.layer, input: "real", macs, sops: 0, energyPj: macs * profile.eMacPj };
  }
  const rate = nonNegative(`layer '${r.layer}' rate`, r.rate);
  if (rate > 1) throw new RangeError(`layer '${r.layer}' rate must be in [0, 1], got ${rate}`);
  const sops = nonNegative(`layer '${r.layer}' T`, r.T) * rate * r.macs;
  return { layer: r.layer, input: "spike", macs: 0, sops, rate, energyPj: sops * profile.eAcPj };
}

/** Per-layer and per-decision energy of a list of op records covering `decisions` decisions. */
export function energyReport(records: OpRecord[], profile: DeviceProfile = CMOS_45NM, decisions = 1): EnergyReport {
  checkProfile(profile);
  if (!Number.isInteger(decisions) || decisions < 1) throw new RangeError(`decisions must be an integer >= 1, got ${decisions}`);
  const layers = records.map((r) => layerEnergy(r, profile));
  const totalEnergyPj = layers.reduce((a, l) => a + l.energyPj, 0);
  return {
    profile,
    layers,
    totalMacs: layers.reduce((a, l) => a + l.macs, 0),
    totalSops: layers.reduce((a, l) => a + l.sops, 0),
    totalEnergyPj,
    energyPerDecisionPj: totalEnergyPj / decisions,
    decisions,
  };
}
