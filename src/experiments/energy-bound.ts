/**
 * What the energy ratio STRL / ANN-STRL can be, by structure alone: with every spike-layer rate at 0 (the lower
 * end: only the real-input layers cost) and at 1 (the upper end: T accumulates per weight), for a given shape.
 * At T = 4 a spike layer costs at most 4 x 0.9 = 3.6 pJ per weight against 4.6 pJ for a float MAC, so the
 * ratio sits inside [low, high] whatever the measured rates: a ratio below 1 is not, by itself, a finding.
 */
import { CMOS_45NM, INT8_45NM, breakEvenRate, energyReport } from "../energy/index.js";
import { stepTransformerOps, type StepOpsConfig } from "../models/blocks/op-counts.js";

export interface StructuralBound {
  low: number;
  high: number;
  /** Rate at which a spike layer costs what the fp32 ANN layer costs (> 1: never more). */
  breakEvenFp32: number;
  /** Rate at which a spike layer costs what the int8 ANN layer costs. */
  breakEvenInt8: number;
}

/** The bound for an STRL shape over `L` tokens with `T` steps (full forward pass). */
export function structuralBound(c: StepOpsConfig, L: number, T: number): StructuralBound {
  const rates = (r: number): Record<string, number> => {
    const out: Record<string, number> = {};
    for (let i = 0; i < c.nBlocks; i++) for (const n of ["attn.q_lif", "attn.v_lif", "attn.qk", "mlp.lif1"]) out[`blocks.${i}.${n}`] = r;
    return out;
  };
  const ann = energyReport(stepTransformerOps(c, L)).totalEnergyPj;
  const at = (r: number) => energyReport(stepTransformerOps(c, L, { T, rates: rates(r) })).totalEnergyPj / ann;
  return { low: at(0), high: at(1), breakEvenFp32: breakEvenRate(T, CMOS_45NM, CMOS_45NM), breakEvenInt8: breakEvenRate(T, CMOS_45NM, INT8_45NM) };
}

/** One paragraph for reports: the bound, the break-even rates and what the int8 column means. */
export function boundParagraph(b: StructuralBound, T: number): string {
  return (
    `By structure, STRL / ANN-STRL (both fp32, 45 nm) lies in [${b.low.toFixed(2)}, ${b.high.toFixed(2)}] for this shape whatever the firing rates: ` +
    `the real-input layers cost the same in both, and a spike layer costs at most T = ${T} x 0.9 pJ per weight against 4.6 pJ for a float MAC. ` +
    `Break-even firing rate per spike layer: ${b.breakEvenFp32.toFixed(2)} against an fp32 ANN (above 1: a spike layer never costs more), ` +
    `${b.breakEvenInt8.toFixed(3)} against an int8 ANN (45 nm int8: 0.23 pJ per MAC, Horowitz ISSCC 2014). ` +
    "The ANN-STRL-int8 column prices ANN-STRL's operations with the int8 profile: a spiking model that does not beat it does not save energy over a quantised ANN. See docs/energy.md."
  );
}
