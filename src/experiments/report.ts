/**
 * Report sections for a `compareModels` result: a summary table, learning curves, returns with error bars,
 * firing rate per layer, energy per decision (MAC vs SOP split) and a spike raster of one decision.
 * Every number comes from the result passed in.
 */
import { energyBars, energySplit, energyTable, firingRates, learningCurves, offlineTable, returnBarsOf, returnsBar, returnsTable, spikeRaster, type ReportSection } from "../report/index.js";
import { formatMeanStd } from "../eval/index.js";
import type { CompareResult, ModelOutcome } from "./compare.js";

/** "97.31%" / "MSE 0.0123" */
export function offlineCell(o: ModelOutcome): string {
  return o.offline.accuracy !== undefined ? `${(100 * o.offline.accuracy).toFixed(2)}%` : `MSE ${o.offline.mse!.toFixed(4)}`;
}

/** One row per model: the numbers a reader wants first. */
export function summaryRows(r: CompareResult): { columns: string[]; rows: Array<Array<string | number>> } {
  const closed = r.outcomes.some((o) => o.closedLoop);
  const columns = ["model", "mode", "parameters", "train s", "held-out accuracy / MSE"];
  if (closed) columns.push("return (first target)", "success");
  columns.push("energy / decision (nJ)", "vs ANN-STRL", "vs DT");
  const rows = r.outcomes.map((o) => {
    const row: Array<string | number> = [o.name, o.mode === "paper" ? "paper (non-causal)" : "causal", o.params, o.trainSeconds.toFixed(1), offlineCell(o)];
    if (closed) {
      const t = o.closedLoop?.targets[0];
      row.push(t ? formatMeanStd(t.returnMean, t.returnStd, 2) : "n/a", t && t.successRate !== null ? `${(100 * t.successRate).toFixed(1)}%` : "n/a");
    }
    const c = r.energy?.find((e) => e.name === o.name);
    row.push(
      o.energy ? (o.energy.energyPerDecisionPj / 1000).toFixed(2) : "n/a",
      c?.ratioToAnn === undefined ? "n/a" : `${c.ratioToAnn.toFixed(3)}x`,
      c?.ratioToDt === undefined ? "n/a" : `${c.ratioToDt.toFixed(3)}x`,
    );
    return row;
  });
  return { columns, rows };
}

/** The figure and table sections for one comparison; `prefix` keeps figure file names unique in a report. */
export async function compareSections(r: CompareResult, prefix = ""): Promise<ReportSection[]> {
  const sections: ReportSection[] = [];
  sections.push({ title: "Offline accuracy", text: "Per-step action accuracy (discrete) or MSE (continuous) on the held-out 15% of episodes.", table: offlineTable(r.outcomes.map((o) => ({ model: o.name, metrics: o.offline }))) });
  const logs = r.outcomes.filter((o) => o.history.length > 0).map((o) => ({ model: o.name, records: o.history }));
  if (logs.length > 0) {
    sections.push({ title: "Learning curves", figures: [{ file: `${prefix}learning-curves.svg`, svg: await learningCurves(logs), caption: "Training loss and validation accuracy (or MSE) against the update step" }] });
  }
  const closed = r.outcomes.filter((o) => o.closedLoop);
  if (closed.length > 0) {
    const bars = closed.flatMap((o) => returnBarsOf(o.name, o.closedLoop!));
    sections.push({
      title: "Closed-loop returns",
      text: `Each model acts in the environment conditioned on the target return; ${closed[0]!.closedLoop!.excludedMazeSeeds > 0 ? "mazes are drawn from seeds not used by the dataset (unseen mazes); " : ""}error bars are ± one population std over episodes.`,
      table: returnsTable(closed.map((o) => ({ model: o.name, result: o.closedLoop! }))),
      figures: [{ file: `${prefix}returns.svg`, svg: await returnsBar(bars), caption: "Mean return per model and target return, ± std" }],
    });
  }
  const withEnergy = r.outcomes.filter((o) => o.energy);
  if (withEnergy.length > 0 && r.energy) {
    sections.push({
      title: "Energy per decision",
      text: `45 nm CMOS, 32-bit (E_MAC 4.6 pJ, E_AC 0.9 pJ). Real-valued inputs cost MACs; spike inputs cost SOPs = T x firing rate x MACs. One decision = one forward pass over the current context window, measured on ${closed.length > 0 ? "the closed-loop episodes above" : "held-out windows (up to 256 decisions)"}.`,
      table: energyTable(withEnergy.map((o) => ({ model: o.name, energy: o.energy! })), r.energy),
      figures: [{ file: `${prefix}energy.svg`, svg: await energyBars(withEnergy.map((o) => energySplit(o.name, o.energy!.report))), caption: "Energy per decision, split into MAC and SOP energy" }],
    });
    const spiking = withEnergy.filter((o) => Object.keys(o.energy!.rates).length > 0);
    if (spiking.length > 0) {
      const rates = spiking.flatMap((o) => Object.entries(o.energy!.rates).map(([layer, rate]) => ({ layer, rate, model: o.name })));
      sections.push({ title: "Firing rates", text: "Mean firing rate of every LIF layer over T, tokens and the decisions measured for energy.", figures: [{ file: `${prefix}firing-rates.svg`, svg: await firingRates(rates), caption: "Firing rate per LIF layer" }] });
    }
  }
  const raster = r.outcomes.find((o) => o.raster && o.raster.length > 0);
  if (raster) {
    const layers = raster.raster!.slice(0, 4).map((l) => ({ layer: l.layer, spikes: l.spikes }));
    sections.push({ title: "Spike raster", text: `${raster.name}: spikes of the last token of one held-out window, for the first LIF layers (up to 64 neurons each).`, figures: [{ file: `${prefix}raster.svg`, svg: await spikeRaster(layers), caption: `Spike raster of one decision (${raster.name})` }] });
  }
  return sections;
}

/** A fixed-width text table for the terminal. */
export function textTable(columns: string[], rows: Array<Array<string | number>>): string {
  const cells = [columns, ...rows.map((r) => r.map(String))];
  const widths = columns.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? "").length)));
  const line = (r: string[]) => r.map((c, j) => c.padEnd(widths[j]!)).join("  ").trimEnd();
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}
