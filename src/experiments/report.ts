/**
 * Report sections for a `compareModels` result: a summary table, learning curves, returns with error bars,
 * firing rate per layer, energy per decision (MAC vs SOP split) and a spike raster of one decision.
 * Every number comes from the result passed in.
 */
import { energyBars, energySplit, energyTable, firingRates, learningCurves, offlineTable, returnBarsOf, returnsBar, returnsTable, spikeRaster, type ReportSection } from "../report/index.js";
import { formatMeanStd, mazeLabel } from "../eval/index.js";
import { energyLabel, formatSig, inUnit, pickEnergyUnit } from "../energy/index.js";
import { layerLabel } from "../models/index.js";
import type { CompareResult, ModelOutcome } from "./compare.js";

/** "97.31%" / "MSE 0.0123" */
export function offlineCell(o: ModelOutcome): string {
  return o.offline.accuracy !== undefined ? `${(100 * o.offline.accuracy).toFixed(2)}%` : `MSE ${o.offline.mse!.toFixed(4)}`;
}

/** One row per model: the numbers a reader wants first (energy in one unit for the column, units.ts). */
export function summaryRows(r: CompareResult): { columns: string[]; rows: Array<Array<string | number>> } {
  const closed = r.outcomes.some((o) => o.closedLoop);
  const unit = pickEnergyUnit(r.outcomes.flatMap((o) => (o.energy ? [o.energy.energyPerDecisionPj] : [])));
  const columns = ["model", "mode", "parameters", "train s", "held-out accuracy / MSE"];
  if (closed) columns.push("return (first target)", "success");
  columns.push(energyLabel("energy / decision", unit), "vs ANN-STRL", "vs ANN-STRL-int8", "vs DT");
  // the int8 baseline: the causal ANN-STRL's operations priced with the 45 nm int8 profile
  const annInt8 = r.outcomes.find((x) => x.kind === "ann-strl" && x.mode !== "paper")?.energy?.int8PerDecisionPj;
  const rows = r.outcomes.map((o) => {
    const row: Array<string | number> = [o.name, o.mode === "paper" ? "paper (non-causal)" : "causal", o.params, o.trainSeconds.toFixed(1), offlineCell(o)];
    if (closed) {
      const t = o.closedLoop?.targets[0];
      row.push(t ? formatMeanStd(t.returnMean, t.returnStd, 2) : "n/a", t && t.successRate !== null ? `${(100 * t.successRate).toFixed(1)}%` : "n/a");
    }
    const c = r.energy?.find((e) => e.name === o.name);
    row.push(
      o.energy ? formatSig(inUnit(o.energy.energyPerDecisionPj, unit)) : "n/a",
      c?.ratioToAnn === undefined ? "n/a" : `${c.ratioToAnn.toFixed(3)}x`,
      o.energy && annInt8 ? `${(o.energy.energyPerDecisionPj / annInt8).toFixed(3)}x` : "n/a",
      c?.ratioToDt === undefined ? "n/a" : `${c.ratioToDt.toFixed(3)}x`,
    );
    return row;
  });
  return { columns, rows };
}

/** The figure and table sections for one comparison; `prefix` keeps figure file names unique in a report. */
export async function compareSections(r: CompareResult, prefix = "", opts: { task?: string } = {}): Promise<ReportSection[]> {
  const task = opts.task;
  const sections: ReportSection[] = [];
  sections.push({ title: "Offline accuracy", text: "Per-step action accuracy (discrete) or MSE (continuous) on the held-out 15% of episodes.", table: offlineTable(r.outcomes.map((o) => ({ model: o.name, metrics: o.offline }))) });
  const logs = r.outcomes.filter((o) => o.history.length > 0).map((o) => ({ model: o.name, records: o.history }));
  if (logs.length > 0) {
    sections.push({ title: "Learning curves", figures: [{ file: `${prefix}learning-curves.svg`, svg: await learningCurves(logs, { task }), caption: "Training loss (faint: per step; bold: exponential moving average, weight 0.9 on the past, bias-corrected) and held-out validation accuracy (or MSE) against the update step" }] });
  }
  const closed = r.outcomes.filter((o) => o.closedLoop);
  if (closed.length > 0) {
    const bars = closed.flatMap((o) => returnBarsOf(o.name, o.closedLoop!));
    const refs = closed.find((o) => o.closedLoop!.references)?.closedLoop!.references;
    const withSuccess = bars.some((b) => b.success !== null);
    sections.push({
      title: "Closed-loop returns",
      text: `Each model acts in the environment conditioned on the target return; ${closed[0]!.closedLoop!.mazes ? `mazes: ${mazeLabel(closed[0]!.closedLoop!.mazes)}; ` : ""}error bars are ± one population std over episodes; success: successes / episodes with its 95% Wilson score interval.`,
      table: returnsTable(closed.map((o) => ({ model: o.name, result: o.closedLoop! }))),
      figures: [
        {
          file: `${prefix}returns.svg`,
          svg: await returnsBar(bars, { task, ...(refs ? { references: { expert: refs.expert, random: refs.random } } : {}) }),
          caption: `Mean return per model (± population std over episodes)${refs ? `; dashed lines: the expert's and the random policy's mean returns (${refs.source})` : ""}${withSuccess ? "; below: success rate" : ""}`,
        },
      ],
    });
  }
  const withEnergy = r.outcomes.filter((o) => o.energy);
  if (withEnergy.length > 0 && r.energy) {
    const unit = pickEnergyUnit(withEnergy.map((o) => o.energy!.energyPerDecisionPj));
    const spread = withEnergy.some((o) => o.energy!.perDecision);
    sections.push({
      title: "Energy per decision",
      text: `45 nm CMOS, 32-bit (E_MAC 4.6 pJ, E_AC 0.9 pJ). Real-valued inputs cost MACs; spike inputs cost SOPs = T x firing rate x MACs; the energy and "vs" columns count these only (compute, the literature's convention). Extras: every LayerNorm, softmax, the LIF updates (ANN: activations), sums and residuals. Memory: 45 nm 8 KB SRAM at 5 pJ per 32-bit word read or written (Horowitz 2014): one weight word per MAC and per SOP, layer inputs and outputs, LIF membranes read and written at every time step (docs/energy.md). All-in = compute + extras + memory. One decision = one forward pass over the current context window, measured on ${closed.length > 0 ? `the closed-loop episodes above, ${decisionPathText(withEnergy)}` : "held-out windows (up to 256 decisions), every model charged its full forward pass"}.`,
      table: energyTable(withEnergy.map((o) => ({ model: o.name, energy: o.energy! })), r.energy),
      figures: [
        {
          file: `${prefix}energy.svg`,
          svg: await energyBars(withEnergy.map((o) => energySplit(o.name, o.energy!.report, o.energy!.perDecision?.energyStdPj)), { task, spreadLabel: "sample std over decisions" }),
          caption: `Energy per decision (${unit}), split into MAC (solid; real inputs) and SOP (light; spike inputs) energy${spread ? "; error bars: ± sample std over the decisions, each priced with its own context size and firing rates" : "; no error bars: offline energy pools the firing rates of all windows"}`,
        },
      ],
    });
    const spiking = withEnergy.filter((o) => Object.keys(o.energy!.rates).length > 0);
    if (spiking.length > 0) {
      // LIF layers only: the `.qk` coincidence rates feed the energy, not this figure.
      const rates = spiking.flatMap((o) =>
        Object.entries(o.energy!.rates)
          .filter(([layer]) => !layer.endsWith(".qk"))
          .map(([layer, rate]) => {
            const s = o.energy!.perDecision?.rates[layer];
            return { layer, rate, model: o.name, ...(s ? { min: s.min, max: s.max } : {}) };
          }),
      );
      const whiskers = rates.some((x) => x.min !== undefined);
      sections.push({
        title: "Firing rates",
        text: "Mean firing rate of every LIF layer over T, tokens and the decisions measured for energy. The figure names layers in words; the table gives each one's code name (as in `firing/*` log keys and TensorBoard).",
        table: layerRateTable(rates),
        figures: [{ file: `${prefix}firing-rates.svg`, svg: await firingRates(rates, { task }), caption: `Firing rate per LIF layer (bar: over all decisions${whiskers ? "; whisker: min to max of the per-decision rate" : ""})` }],
      });
    }
  }
  const raster = r.outcomes.find((o) => o.raster && o.raster.length > 0);
  if (raster) {
    const layers = raster.raster!.map((l) => ({ layer: l.layer, spikes: l.spikes }));
    sections.push({ title: "Spike raster", text: `${raster.name}: spikes of the last token of one held-out window, every LIF layer (up to 64 neurons each).`, figures: [{ file: `${prefix}raster.svg`, svg: await spikeRaster(layers, { task }), caption: `Spikes of one decision, one panel per LIF layer (${raster.name}; ${layers.length} layers); dark cell = spike` }] });
  }
  return sections;
}

/** One row per LIF layer: its name in the figures, its code name, and each model's rate (4 decimals). */
export function layerRateTable(rates: ReadonlyArray<{ layer: string; rate: number; model: string }>): { columns: string[]; rows: Array<Array<string | number>> } {
  const models = [...new Set(rates.map((r) => r.model))];
  const layers = [...new Set(rates.map((r) => r.layer))];
  return {
    columns: ["layer", "code name", ...models.map((m) => `${m} rate`)],
    rows: layers.map((l) => [layerLabel(l), `\`${l}\``, ...models.map((m) => rates.find((r) => r.layer === l && r.model === m)?.rate.toFixed(4) ?? "n/a")]),
  };
}

/** A fixed-width text table for the terminal. */
export function textTable(columns: string[], rows: Array<Array<string | number>>): string {
  const cells = [columns, ...rows.map((r) => r.map(String))];
  const widths = columns.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? "").length)));
  const line = (r: string[]) => r.map((c, j) => c.padEnd(widths[j]!)).join("  ").trimEnd();
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/**
 * Which decision path each model's closed-loop energy was charged, from the results themselves: one path for all
 * (the like-for-like case), or each model's, with a warning that ratios across paths are not like for like (e.g.
 * a DT result saved before the DT had its decision path).
 */
export function decisionPathText(outcomes: ReadonlyArray<{ name: string; energy?: { path?: "full" | "last" } }>): string {
  const SAME = "every model charged the same decision path (forwardLast: every block but the last in full, the last block's attention over every row, what follows it on the decision's row only)";
  const paths = outcomes.map((o) => [o.name, o.energy?.path ?? "full"] as const);
  if (paths.every(([, p]) => p === "last")) return SAME;
  if (paths.every(([, p]) => p === "full")) return "every model charged its full forward pass";
  const named = paths.map(([n, p]) => `${n} ${p === "last" ? "forwardLast" : "its full forward pass"}`).join(", ");
  return `models charged different paths (${named}): ratios between a forwardLast model and a full-pass model are not like for like`;
}
