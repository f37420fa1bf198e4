/**
 * A memory-access model beside the compute-only convention (docs/energy.md, "Memory traffic"). The compute-only
 * numbers of this literature price the arithmetic alone; on real hardware moving the operands often costs more
 * (M. Horowitz, ISSCC 2014: a 64-bit read from an 8 KB SRAM is ~10 pJ, twice a 32-bit float multiply-add), and
 * the critique of SNN energy claims (Lemaire et al. 2022, "An analytical estimation of spiking neural networks
 * energy efficiency"; Dampfhoffer et al. 2023, "Are SNNs really more energy-efficient than ANNs? An in-depth
 * hardware-aware study") shows that a spiking accumulate still reads its weight and that membrane potentials are
 * read and written at every time step. This file prices a model's memory records; the models list them
 * (`memoryRecords`, src/models/blocks/memory-counts.ts).
 *
 * Everything is counted in 32-bit words; binary spikes are packed 32 to a word (a spike moved = 1/32 word).
 */

/** Energy of moving one 32-bit word, in picojoules. */
export interface MemoryProfile {
  name: string;
  /** Energy of reading one 32-bit word. */
  readPj: number;
  /** Energy of writing one 32-bit word. */
  writePj: number;
}

/**
 * 45 nm, an 8 KB on-chip SRAM (Horowitz 2014: ~10 pJ per 64-bit read): 5 pJ per 32-bit word read, and, an
 * assumption of strl (the source gives reads), the same per word written. The smallest memory of that table: a
 * 32 KB SRAM costs ~20 pJ and a 1 MB one ~100 pJ per 64 bits, DRAM ~1.3-2.6 nJ, so this is a lower bound on
 * the traffic's energy.
 */
export const SRAM_45NM: MemoryProfile = { name: "45nm-sram-8kB", readPj: 5, writePj: 5 };

/**
 * One layer's memory traffic for one decision, in 32-bit words, by what is moved:
 * - "weights": operands read by the MACs and SOPs, one word each (a weight, or the real operand of an attention
 *   product; a spiking accumulate reads its weight too);
 * - "activations": layer inputs read and outputs written (real values one word each, spikes 1/32 word);
 * - "membrane": the membrane potential of every LIF neuron, read and written at every time step.
 */
export interface MemoryRecord {
  layer: string;
  what: "weights" | "activations" | "membrane";
  /** Words read. */
  reads: number;
  /** Words written. */
  writes: number;
}

export interface MemoryReport {
  profile: MemoryProfile;
  /** Words read and written, over all records. */
  readWords: number;
  writeWords: number;
  /** Energy by what is moved, pJ, over all records. */
  weightsPj: number;
  activationsPj: number;
  membranePj: number;
  totalPj: number;
}

function nonNegative(what: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new RangeError(`${what} must be a finite number >= 0, got ${String(v)}`);
  return v;
}

/** Validates a user-supplied memory profile (e.g. the `memory` of a `--device-profile FILE`). */
export function checkMemoryProfile(p: unknown): MemoryProfile {
  if (typeof p !== "object" || p === null) throw new RangeError("memory profile must be an object { name, readPj, writePj }");
  const o = p as Record<string, unknown>;
  if (typeof o.name !== "string" || o.name.length === 0) throw new RangeError("memory profile: 'name' must be a non-empty string");
  return { name: o.name, readPj: nonNegative("memory profile readPj", o.readPj), writePj: nonNegative("memory profile writePj", o.writePj) };
}

/** Words that `bits` one-bit spikes occupy, packed 32 to a word. */
export function spikeWords(bits: number): number {
  return nonNegative("spikeWords bits", bits) / 32;
}

/** Prices memory records: words read x readPj + words written x writePj, split by what is moved. */
export function memoryReport(records: readonly MemoryRecord[], profile: MemoryProfile = SRAM_45NM): MemoryReport {
  checkMemoryProfile(profile);
  const out: MemoryReport = { profile, readWords: 0, writeWords: 0, weightsPj: 0, activationsPj: 0, membranePj: 0, totalPj: 0 };
  for (const r of records) {
    const reads = nonNegative(`memory record '${r.layer}' reads`, r.reads);
    const writes = nonNegative(`memory record '${r.layer}' writes`, r.writes);
    const pj = reads * profile.readPj + writes * profile.writePj;
    out.readWords += reads;
    out.writeWords += writes;
    if (r.what === "weights") out.weightsPj += pj;
    else if (r.what === "activations") out.activationsPj += pj;
    else if (r.what === "membrane") out.membranePj += pj;
    else throw new RangeError(`memory record '${r.layer}': unknown kind '${String((r as { what: unknown }).what)}'`);
    out.totalPj += pj;
  }
  return out;
}
