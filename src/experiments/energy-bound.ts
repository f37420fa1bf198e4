/**
 * What the energy ratio STRL / ANN-STRL can be, by structure alone: with every spike-layer rate at 0 (the lower
 * end: only the real-input layers cost) and at 1 (the upper end: T accumulates per weight), for a given shape.
 * At T = 4 a spike layer costs at most 4 x 0.9 = 3.6 pJ per weight against 4.6 pJ for a float MAC, so the
 * ratio sits inside [low, high] whatever the measured rates: a ratio below 1 is not, by itself, a finding.
 */
import { CMOS_45NM, INT8_45NM, breakEvenRate, energyReport } from "../energy/index.js";
import { stepTransformerOps, type StepOpsConfig } from "../models/blocks/op-counts.js";
import type { ActionHead } from "../models/index.js";

export interface StructuralBound {
  low: number;
  high: number;
  /** Rate at which a spike layer costs what the fp32 ANN layer costs (> 1: never more). */
  breakEvenFp32: number;
  /** Rate at which a spike layer costs what the int8 ANN layer costs. */
  breakEvenInt8: number;
}

/**
 * The bound for an STRL shape over `L` tokens with `T` steps, on decision path `path`: "full" (the whole forward
 * pass, what an offline window is charged) or "last" (`forwardLast`, what a closed-loop decision is charged).
 */
export function structuralBound(c: StepOpsConfig, L: number, T: number, path: "full" | "last" = "full"): StructuralBound {
  const rates = (r: number): Record<string, number> => {
    const out: Record<string, number> = {};
    for (let i = 0; i < c.nBlocks; i++) for (const n of ["attn.q_lif", "attn.v_lif", "attn.qk", "mlp.lif1"]) out[`blocks.${i}.${n}`] = r;
    return out;
  };
  const ann = energyReport(stepTransformerOps(c, L, undefined, { path })).totalEnergyPj;
  const at = (r: number) => energyReport(stepTransformerOps(c, L, { T, rates: rates(r) }, { path })).totalEnergyPj / ann;
  return { low: at(0), high: at(1), breakEvenFp32: breakEvenRate(T, CMOS_45NM, CMOS_45NM), breakEvenInt8: breakEvenRate(T, CMOS_45NM, INT8_45NM) };
}

/** The shape of one report row that its bound depends on. */
export interface RowShape {
  /** The row's name in the report. */
  row: string;
  obsDim: number;
  head: ActionHead;
  /** The STRL model's architecture (its preset). */
  arch: { dModel: number; nBlocks: number; nHeads: number; contextLength: number };
  /** "last" when the row's energy is charged on closed-loop decisions, "full" for offline windows. */
  path: "full" | "last";
}

/** The bound of a row's shape on its path (the causal STRL of its preset: MLP ratio 4, "strl" attention). */
export function shapeBound(shape: Omit<RowShape, "row">, T: number): StructuralBound {
  const a = shape.arch;
  const c: StepOpsConfig = { obsDim: shape.obsDim, head: shape.head, headDim: a.dModel / a.nHeads, mlpRatio: 4, causal: true, attention: "strl", dModel: a.dModel, nBlocks: a.nBlocks, nHeads: a.nHeads };
  return structuralBound(c, a.contextLength, T, shape.path);
}

/** One sentence for a single comparison (the demo): the bound of its shape and path and the break-even rates. */
export function boundSentence(shape: Omit<RowShape, "row">, T: number): string {
  const b = shapeBound(shape, T);
  const path = shape.path === "last" ? "a closed-loop decision (forwardLast)" : "an offline window (full pass)";
  return (
    `By structure, STRL / ANN-STRL (both fp32, 45 nm) lies in [${b.low.toFixed(3)}, ${b.high.toFixed(3)}] for ${path} of this shape (obs ${shape.obsDim}, context ${shape.arch.contextLength}, T = ${T}) whatever the firing rates: ` +
    "the lower end is every spike layer silent, the upper every spike layer firing at every step, so a ratio near the lower end says the spike layers barely fire. " +
    `Break-even firing rate per spike layer: ${b.breakEvenFp32.toFixed(2)} against the fp32 ANN (above 1: a spike layer never costs more), ${b.breakEvenInt8.toFixed(3)} against an int8 ANN; ` +
    '"vs ANN-STRL-int8" divides by ANN-STRL\'s operations priced at 45 nm int8 (0.23 pJ per MAC, Horowitz ISSCC 2014).'
  );
}

/** One markdown table: per row, the STRL / ANN-STRL bound on the path, shape and observation width that row uses. */
export function rowBoundsTable(rows: RowShape[], T: number): string {
  const head = (h: ActionHead): string => (h.kind === "discrete" ? `${h.n} discrete` : `${h.dim} continuous`);
  const lines = [
    "| row | energy charged on | obs | actions | d, blocks, heads, context | STRL / ANN-STRL by structure (all spike layers silent .. all firing) |",
    "|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const b = shapeBound(r, T);
    const path = r.path === "last" ? "closed-loop decisions (forwardLast)" : "offline windows (full pass)";
    lines.push(`| ${r.row} | ${path} | ${r.obsDim} | ${head(r.head)} | ${r.arch.dModel}, ${r.arch.nBlocks}, ${r.arch.nHeads}, ${r.arch.contextLength} | [${b.low.toFixed(3)}, ${b.high.toFixed(3)}] |`);
  }
  return lines.join("\n");
}

/** One paragraph for reports, before `rowBoundsTable`: what the bound is, the break-even rates, what int8 means. */
export function boundParagraph(T: number): string {
  const fp32 = breakEvenRate(T, CMOS_45NM, CMOS_45NM);
  const int8 = breakEvenRate(T, CMOS_45NM, INT8_45NM);
  return (
    "By structure, STRL / ANN-STRL (both fp32, 45 nm) lies between two values whatever the firing rates: every spike layer silent (only the real-input layers cost, the same in both) " +
    `and every spike layer firing at every one of T = ${T} steps (a spike layer then costs T x 0.9 pJ per weight against 4.6 pJ for a float MAC). ` +
    "The table below gives that range for each row, on the path, shape and observation width its energy was charged on: a measured ratio near the lower end says the spike layers are nearly silent, not that spiking saves energy. " +
    `Break-even firing rate per spike layer: ${fp32.toFixed(2)} against an fp32 ANN (above 1: a spike layer never costs more), ` +
    `${int8.toFixed(3)} against an int8 ANN (45 nm int8: 0.23 pJ per MAC, Horowitz ISSCC 2014). ` +
    "The ANN-STRL-int8 column prices ANN-STRL's operations with the int8 profile: a spiking model that does not beat it does not save energy over a quantised ANN. See docs/energy.md."
  );
}
