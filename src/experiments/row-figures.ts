/**
 * The figures of a reproduce / sweep report row over all its seeds (not seed 0's), and the report's summary
 * figure. Every number is the summary table's own (reproduce.ts `seedStats`, episode-cells.ts):
 * - returns: the mean return over every episode of every seed with its 95% two-level bootstrap interval (the
 *   table's return cell); success: successes / episodes over all seeds;
 * - energy: the MAC and SOP parts averaged over seeds, the error bar the 95% t interval over seeds of the total
 *   (the table's energy cell: closed-loop per decision where the row ran closed-loop, else offline);
 * - firing rates: each layer's mean over seeds, the whisker its 95% t interval over seeds (clipped to [0, 1]);
 * - learning curves: the mean over seeds per step with a 95% t band (learning-curves.ts);
 * - the raster stays one decision of seed 0 (a raster is one sample, not a statistic).
 * The summary figure: normalised score (the table's mean with its widened bootstrap interval) against closed-loop
 * energy per decision (the table's mean with its t interval over seeds), one point per model and task.
 */
import { energyBars, energySplit, firingRates, learningCurves, returnsBar, scoreEnergyPlot, type ReportFigure, type ScoreEnergyPoint } from "../report/index.js";
import { mean } from "../eval/index.js";
import type { ModelOutcome } from "./compare.js";
import { meanIqmIntervals, returnStrata, scoreEstimate, successCounts } from "./episode-cells.js";
import { closedLoopEnergyPj, seedStats, type ExperimentRow, type RowResult } from "./reproduce.js";

const RATE: [number, number] = [0, 1];
const NON_NEGATIVE: [number, number] = [0, Infinity];

/** The task of a row as figure titles name it: "CartPole-v1, expert data" (+ the sweep's extra axes, "[lr=0.001]"). */
export function taskLabel(row: Pick<ExperimentRow, "envId" | "policy" | "title">): string {
  const extra = /\[[^\]]*\]$/.exec(row.title)?.[0];
  return `${row.envId}, ${row.policy} data${extra ? ` ${extra}` : ""}`;
}

/** Each seed's outcome of model `name`. */
const outcomesOf = (res: RowResult, name: string): ModelOutcome[] => res.perSeed.flatMap((r) => r.outcomes.filter((o) => o.name === name));

/** The row's figures over all seeds, by file name (`prefix` + learning-curves.svg, returns.svg, energy.svg, firing-rates.svg). */
export async function seedFigures(res: RowResult, prefix: string): Promise<Map<string, ReportFigure>> {
  const task = taskLabel(res.row);
  const seeds = res.perSeed.length;
  const names = res.row.models.map((m) => m.name).filter((n) => outcomesOf(res, n).length > 0);
  const out = new Map<string, ReportFigure>();
  const add = (f: ReportFigure) => out.set(f.file, f);

  const logs = names.flatMap((n) => outcomesOf(res, n).filter((o) => o.history.length > 0).map((o) => ({ model: n, records: o.history })));
  if (logs.length > 0) add({ file: `${prefix}learning-curves.svg`, svg: await learningCurves(logs, { task }), caption: `Training loss (faint: per step; bold: exponential moving average, weight 0.9, bias-corrected) and held-out validation accuracy (or MSE), mean over ${seeds} seeds with the 95% t interval of the mean as a band` });

  const bars = names.flatMap((n) => {
    const strata = returnStrata(res.perSeed, n);
    if (!strata) return [];
    const m = meanIqmIntervals(strata).mean;
    const s = successCounts(res.perSeed, n);
    return [{ model: n, target: res.target ?? outcomesOf(res, n)[0]!.closedLoop!.targets[0]!.targetReturn, mean: m.estimate, std: 0, interval: [m.lo, m.hi] as [number, number], success: s ? s.k / s.n : null }];
  });
  if (bars.length > 0) {
    const refs = res.references;
    add({
      file: `${prefix}returns.svg`,
      svg: await returnsBar(bars, { task, yTitle: "return (mean, 95% CI)", ...(refs ? { references: { expert: refs.expert, random: refs.random } } : {}) }),
      caption: `Mean return over every episode of all ${seeds} seeds, error bar: 95% two-level bootstrap interval (seeds, then episodes; the summary table's return cell)${refs ? `; dashed lines: the expert's and the random policy's mean returns (${refs.source})` : ""}${bars.some((b) => b.success !== null) ? "; below: successes / episodes over all seeds" : ""}`,
    });
  }

  const energy = names.flatMap((n) => {
    const os = outcomesOf(res, n).filter((o) => o.energy);
    const total = seedStats(res, n, (o) => o.energy?.energyPerDecisionPj, NON_NEGATIVE);
    if (os.length === 0 || !total) return [];
    const splits = os.map((o) => energySplit(n, o.energy!.report));
    return [{ model: n, macPj: mean(splits.map((s) => s.macPj)), sopPj: mean(splits.map((s) => s.sopPj)), ...(total.n > 1 ? { intervalPj: total.ci95 } : {}) }];
  });
  if (energy.length > 0) add({ file: `${prefix}energy.svg`, svg: await energyBars(energy, { task, spreadLabel: `95% t CI over ${seeds} seeds` }), caption: `Energy per decision, split into MAC (solid; real inputs) and SOP (light; spike inputs) energy, each the mean over ${seeds} seeds; error bar: the 95% t interval over seeds of the total (the summary table's energy cell)` });

  const rates = names.flatMap((n) => {
    const layers = [...new Set(outcomesOf(res, n).flatMap((o) => Object.keys(o.energy?.rates ?? {})))].filter((l) => !l.endsWith(".qk"));
    return layers.flatMap((layer) => {
      const s = seedStats(res, n, (o) => o.energy?.rates[layer], RATE);
      return s ? [{ layer, model: n, rate: s.mean, ...(s.n > 1 ? { min: s.ci95[0], max: s.ci95[1] } : {}) }] : [];
    });
  });
  if (rates.length > 0) add({ file: `${prefix}firing-rates.svg`, svg: await firingRates(rates, { task, barLabel: `mean over ${seeds} seeds`, spreadLabel: "95% t CI over seeds" }), caption: `Firing rate per LIF layer, the mean over ${seeds} seeds (each seed's rate over all its measured decisions); whisker: the 95% t interval over seeds` });
  return out;
}

/** The summary figure's points: every model of every closed-loop row with a normalised score and a closed-loop energy. */
export function summaryPoints(results: readonly RowResult[]): { points: ScoreEnergyPoint[]; left: string[] } {
  const points: ScoreEnergyPoint[] = [];
  const left: string[] = [];
  for (const res of results) {
    for (const m of res.row.models) {
      const score = scoreEstimate(res.perSeed, m.name, res.row.envId);
      const e = seedStats(res, m.name, closedLoopEnergyPj, NON_NEGATIVE);
      if (!score || !e || !(e.mean > 0)) {
        if (!left.includes(res.row.id)) left.push(res.row.id);
        continue;
      }
      points.push({ task: taskLabel(res.row), model: m.name, energyPj: { mean: e.mean, lo: e.ci95[0], hi: e.ci95[1] }, score: { mean: score.estimate, lo: score.lo, hi: score.hi } });
    }
  }
  return { points, left };
}

/** The report's summary figure, or undefined when no row has both a normalised score and a closed-loop energy. */
export async function summaryFigure(results: readonly RowResult[]): Promise<{ figure: ReportFigure; text: string } | undefined> {
  const { points, left } = summaryPoints(results);
  if (points.length === 0) return undefined;
  const svg = await scoreEnergyPlot(points, { subtitle: ["point: mean; bars: 95% intervals (score: bootstrap over", "episodes x seeds + references; energy: t over seeds)"] });
  return {
    figure: { file: "summary-score-energy.svg", svg, caption: "Normalised score (measured random = 0, expert = 100) against closed-loop energy per decision, one point per model and task: the summary table's mean score with its 95% bootstrap interval (widened by the references' error) and its mean closed-loop energy with the 95% t interval over seeds" },
    text: `Every model of every row with a normalised score and a closed-loop energy, the summary table's numbers.${left.length ? ` Not drawn (no normalised score or no closed-loop energy): ${left.map((l) => `\`${l}\``).join(", ")}.` : ""}`,
  };
}
