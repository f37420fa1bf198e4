/**
 * `strl plot`: curves of one or more training runs, seeds aggregated and runs compared by label.
 *
 * Input: runs, each a label and its log records (src/train/log.ts keys). Runs with the same label are seeds of
 * one configuration: at each step the panel shows their mean and, with two or more seeds, a 95% confidence band
 * of the mean (Student's t: mean ± t(0.975, n - 1) x sd / sqrt(n)), clipped to the range of what the panel shows
 * (`PANEL_RANGES`: a loss or an MSE is never below 0, an accuracy or a firing rate never outside [0, 1]; a
 * return is unbounded). Panels, when the logs have them: training
 * loss (an exponential moving average, the raw mean faint behind it), validation accuracy or MSE, closed-loop
 * return (`evaluation/return`, from `strl train --eval-episodes`) and the mean firing rate over LIF layers
 * (`firing/*`). One colour per label in every panel, the palette of the report figures (palette.ts).
 */
import { finite, label as checkLabel, nonEmpty } from "./check.js";
import { modelColorScale } from "./palette.js";
import { figureTitle, renderSvg, type TopLevelSpec } from "./render.js";

export interface RunLog {
  /** What the run is compared by (e.g. "strl", "dt"); runs with the same label are seeds. */
  label: string;
  records: ReadonlyArray<{ step: number; [key: string]: unknown }>;
}

export interface BandPoint {
  label: string;
  step: number;
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/** Two-sided 95% Student t quantiles for 1..30 degrees of freedom (then 1.96). */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** The valid range of each panel's values: bands are clipped to it. */
export const PANEL_RANGES = Object.freeze({
  loss: [0, Infinity] as const,
  accuracy: [0, 1] as const,
  mse: [0, Infinity] as const,
  return: [-Infinity, Infinity] as const,
  firingRate: [0, 1] as const,
});

/** Mean and 95% t-interval of the mean of `xs` (lo = hi = mean for one value), clipped to `range` when given. */
export function meanBand(xs: readonly number[], range: readonly [number, number] = [-Infinity, Infinity]): { mean: number; lo: number; hi: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, lo: mean, hi: mean };
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = (T975[n - 2] ?? 1.96) * (sd / Math.sqrt(n));
  return { mean, lo: Math.max(range[0], mean - half), hi: Math.min(range[1], mean + half) };
}

/** Exponential moving average with weight `alpha` on the past (0 = none), bias-corrected as in TensorBoard. */
export function ema(xs: readonly number[], alpha: number): number[] {
  let m = 0;
  return xs.map((x, i) => {
    m = alpha * m + (1 - alpha) * x;
    return alpha === 0 ? x : m / (1 - alpha ** (i + 1));
  });
}

/** One series per run: `key`'s value at each step that has it (`value` maps a record to a number, or undefined). */
function series(run: RunLog, value: (r: Record<string, unknown>) => number | undefined): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const r of run.records) {
    const v = value(r);
    if (v !== undefined) out.push([finite(`plot: run '${run.label}' step`, r.step), finite(`plot: run '${run.label}' value at step ${r.step}`, v)]);
  }
  return out;
}

/** Aggregates per label and step across the label's runs (seeds); bands clipped to `range`. */
export function aggregate(runs: readonly RunLog[], value: (r: Record<string, unknown>) => number | undefined, smooth = 0, range: readonly [number, number] = [-Infinity, Infinity]): BandPoint[] {
  const byLabel = new Map<string, Map<number, number[]>>();
  for (const run of runs) {
    const s = series(run, value);
    const ys = smooth > 0 ? ema(s.map(([, y]) => y), smooth) : s.map(([, y]) => y);
    const m = byLabel.get(run.label) ?? new Map<number, number[]>();
    s.forEach(([step], i) => m.set(step, [...(m.get(step) ?? []), ys[i]!]));
    byLabel.set(run.label, m);
  }
  const out: BandPoint[] = [];
  for (const [lab, m] of byLabel) {
    for (const step of [...m.keys()].sort((a, b) => a - b)) out.push({ label: lab, step, n: m.get(step)!.length, ...meanBand(m.get(step)!, range) });
  }
  return out;
}

const num = (k: string) => (r: Record<string, unknown>) => (typeof r[k] === "number" ? (r[k] as number) : undefined);
/** The mean firing rate over a record's `firing/*` keys. */
const meanFiring = (r: Record<string, unknown>): number | undefined => {
  const v = Object.entries(r).filter(([k, x]) => k.startsWith("firing/") && typeof x === "number").map(([, x]) => x as number);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
};

function panel(title: string, yTitle: string, pts: BandPoint[], labels: string[], raw?: BandPoint[]): Record<string, unknown> {
  const x = { field: "step", type: "quantitative", title: "update step" };
  const color = { field: "label", type: "nominal", title: "run", scale: modelColorScale(labels), sort: null, legend: { symbolOpacity: 1 } };
  const layers: Record<string, unknown>[] = [
    { transform: [{ filter: "datum.n > 1" }], mark: { type: "area", opacity: 0.2 }, encoding: { x, y: { field: "lo", type: "quantitative", title: yTitle, scale: { zero: false } }, y2: { field: "hi" }, color } },
    { mark: { type: "line", strokeWidth: 1.5, point: pts.length < 40 }, encoding: { x, y: { field: "mean", type: "quantitative" }, color } },
  ];
  if (raw) layers.unshift({ data: { values: raw }, mark: { type: "line", opacity: 0.25, strokeWidth: 0.8 }, encoding: { x, y: { field: "mean", type: "quantitative" }, color } });
  return { title, width: 220, height: 150, data: { values: pts }, layer: layers };
}

export interface PanelData {
  title: string;
  yTitle: string;
  pts: BandPoint[];
  /** The faint raw curve behind the loss. */
  raw?: BandPoint[];
}

/** The panels `plotRuns` draws, their bands clipped to `PANEL_RANGES` (exported for the tests). */
export function runPanels(runs: readonly RunLog[], smooth = 0.9): PanelData[] {
  const R = PANEL_RANGES;
  const loss = aggregate(runs, num("training/loss"), smooth, R.loss);
  if (loss.length === 0) throw new RangeError("plot: no record has a 'training/loss' value");
  const panels: PanelData[] = [{ title: "Training loss (EMA; raw faint)", yTitle: "loss", pts: loss, raw: aggregate(runs, num("training/loss"), 0, R.loss) }];
  const acc = aggregate(runs, num("evaluation/accuracy"), 0, R.accuracy);
  const mse = aggregate(runs, num("evaluation/mse"), 0, R.mse);
  if (acc.length) panels.push({ title: "Validation accuracy", yTitle: "per-step accuracy", pts: acc });
  else if (mse.length) panels.push({ title: "Validation action MSE", yTitle: "per-step MSE", pts: mse });
  const ret = aggregate(runs, num("evaluation/return"), 0, R.return);
  if (ret.length) panels.push({ title: "Closed-loop return", yTitle: "return", pts: ret });
  const fire = aggregate(runs, meanFiring, 0, R.firingRate);
  if (fire.length) panels.push({ title: "Mean firing rate (LIF layers)", yTitle: "spikes / neuron / step", pts: fire });
  return panels;
}

/**
 * The subtitle of `plotRuns`: the runs per label and what is drawn: a band only for labels with two or more runs
 * ("no band: one run per label" when none has).
 */
export function runsSubtitle(runs: readonly RunLog[]): string {
  const seeds = new Map<string, number>();
  for (const r of runs) seeds.set(r.label, (seeds.get(r.label) ?? 0) + 1);
  const counts = [...seeds].map(([l, n]) => `${l}: ${n} run${n > 1 ? "s" : ""}`).join(", ");
  const banded = [...seeds].filter(([, n]) => n > 1).map(([l]) => l);
  if (banded.length === 0) return `${counts}; lines: each run's values, no band (one run per label)`;
  const which = banded.length === seeds.size ? "" : ` (${banded.join(", ")}; the others are single runs)`;
  return `${counts}; lines: mean over runs; bands${which}: 95% t CI of the mean over runs, clipped to each panel's valid range`;
}

/** SVG of the runs' panels (see the module comment). `smooth` is the loss EMA weight (default 0.9); `task` goes in the title. */
export async function plotRuns(runs: readonly RunLog[], opts: { title?: string; task?: string; smooth?: number } = {}): Promise<string> {
  nonEmpty("plot: runs", runs);
  for (const r of runs) checkLabel("plot: run label", r.label);
  const labels = [...new Set(runs.map((r) => r.label))];
  const panels = runPanels(runs, opts.smooth ?? 0.9).map((p) => panel(p.title, p.yTitle, p.pts, labels, p.raw));
  const subtitle = runsSubtitle(runs);
  const spec = {
    title: { text: figureTitle(opts.title ?? "Training runs", opts.task), subtitle },
    columns: 2,
    concat: panels,
    resolve: { scale: { color: "shared" } },
  } as unknown as TopLevelSpec;
  return renderSvg(spec);
}
