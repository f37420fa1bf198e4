/**
 * Report tables built from evaluation results, with the conventions of eval/stats.ts (mean ± population std over
 * all episodes of all seeds). Numbers are formatted here so every report prints them the same way.
 */
import type { ClosedLoopResult } from "../eval/rollout.js";
import type { EnergyComparison, ModelEnergy } from "../eval/measured-energy.js";
import { formatMeanStd } from "../eval/stats.js";
import { wilsonInterval } from "../eval/intervals.js";
import type { OfflineMetrics } from "../train/validate.js";
import { energyLabel, formatSig, inUnit, pickEnergyUnit } from "../energy/index.js";
import { label, nonEmpty } from "./check.js";
import type { ReportTable } from "./write.js";

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** "45.0% [25.8, 65.8] (9/20)": the success rate over the episodes with its 95% Wilson interval (intervals.ts). */
function successText(t: ClosedLoopResult["targets"][number]): string {
  if (t.successRate === null) return "n/a";
  if (t.episodes.length === 0) return pct(t.successRate);
  const w = wilsonInterval(t.episodes.filter((e) => e.success === true).length, t.episodes.length);
  return `${pct(w.rate)} [${(100 * w.lo).toFixed(1)}, ${(100 * w.hi).toFixed(1)}] (${w.successes}/${w.n})`;
}

/** One row per (model, target): return mean ± std, success rate [95% Wilson interval], mean length, normalised score. */
export function returnsTable(rows: ReadonlyArray<{ model: string; result: ClosedLoopResult }>, digits = 2): ReportTable {
  nonEmpty("returnsTable: rows", rows);
  const withScore = rows.some((r) => r.result.references !== undefined);
  const columns = ["model", "target return", "return (mean ± std)", "success [95% Wilson CI] (k/n)", "episode length", ...(withScore ? ["normalised score"] : []), "episodes"];
  const out: ReportTable["rows"] = [];
  for (const { model, result } of rows) {
    label("returnsTable: model", model);
    for (const t of result.targets) {
      out.push([
        model,
        t.targetReturn,
        formatMeanStd(t.returnMean, t.returnStd, digits),
        successText(t),
        t.lengthMean.toFixed(1),
        ...(withScore ? [t.normalizedMean === undefined ? "n/a" : formatMeanStd(t.normalizedMean, t.normalizedStd!, 1)] : []),
        `${result.episodesPerSeed} x ${result.seeds.length} seeds`,
      ]);
    }
  }
  return { columns, rows: out };
}

/** Offline per-step accuracy (discrete) or MSE (continuous) per model on the held-out split. */
export function offlineTable(rows: ReadonlyArray<{ model: string; metrics: OfflineMetrics }>): ReportTable {
  nonEmpty("offlineTable: rows", rows);
  return {
    columns: ["model", "accuracy / MSE", "loss", "real steps"],
    rows: rows.map(({ model, metrics: m }) => [
      label("offlineTable: model", model),
      m.accuracy !== undefined ? pct(m.accuracy) : m.mse !== undefined ? `MSE ${m.mse.toPrecision(4)}` : "n/a",
      m.loss.toPrecision(4),
      m.steps,
    ]),
  };
}

/**
 * Energy per decision per model with its MAC / SOP counts and the ratios to ANN-STRL and DT (compute only, the
 * literature's convention), then the extras' energy (LayerNorm, softmax, LIF updates / activations, adds), the
 * memory-access energy (src/energy/memory.ts) and the all-in ratios (compute + extras + memory); "n/a" where a
 * result has no such number. Each energy column has its own unit.
 */
export function energyTable(rows: ReadonlyArray<{ model: string; energy: ModelEnergy }>, comparison: readonly EnergyComparison[]): ReportTable {
  nonEmpty("energyTable: rows", rows);
  const ratio = (x: number | undefined): string => (x === undefined ? "n/a" : `${x.toFixed(3)}x`);
  const unit = pickEnergyUnit(rows.map((r) => r.energy.energyPerDecisionPj));
  const extrasUnit = pickEnergyUnit(rows.flatMap((r) => (r.energy.extrasPerDecisionPj === undefined ? [] : [r.energy.extrasPerDecisionPj])));
  const memoryUnit = pickEnergyUnit(rows.flatMap((r) => (r.energy.memoryPerDecisionPj === undefined ? [] : [r.energy.memoryPerDecisionPj])));
  const inOwn = (x: number | undefined, u: typeof unit): string => (x === undefined ? "n/a" : formatSig(inUnit(x, u)));
  const spread = rows.some((r) => r.energy.perDecision);
  return {
    columns: [
      "model",
      "MACs / decision",
      "SOPs / decision",
      energyLabel(spread ? "energy / decision, mean ± sample std over decisions" : "energy / decision", unit),
      "vs ANN-STRL",
      "vs DT",
      energyLabel("extras / decision", extrasUnit),
      energyLabel("memory / decision", memoryUnit),
      "all-in vs ANN-STRL",
      "all-in vs DT",
      "decisions",
    ],
    rows: rows.map(({ model, energy }) => {
      const c = comparison.find((x) => x.name === model);
      if (!c) throw new RangeError(`energyTable: model '${model}' is not in the comparison (${comparison.map((x) => x.name).join(", ")})`);
      return [
        model,
        Math.round(energy.macsPerDecision),
        Math.round(energy.sopsPerDecision),
        energy.perDecision
          ? `${formatSig(inUnit(energy.energyPerDecisionPj, unit))} ± ${formatSig(inUnit(energy.perDecision.energyStdPj, unit))}`
          : spread
            ? `${formatSig(inUnit(energy.energyPerDecisionPj, unit))} ± n/a`
            : formatSig(inUnit(energy.energyPerDecisionPj, unit)),
        ratio(c.ratioToAnn),
        ratio(c.ratioToDt),
        inOwn(energy.extrasPerDecisionPj, extrasUnit),
        inOwn(energy.memoryPerDecisionPj, memoryUnit),
        ratio(c.allInRatioToAnn),
        ratio(c.allInRatioToDt),
        energy.decisions,
      ];
    }),
  };
}
