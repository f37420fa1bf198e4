/**
 * The summary figure of a reproduce / sweep report: normalised score against energy per decision, one point per
 * model and task (colour: model, palette.ts; shape: task), each with its two intervals as error bars (score
 * vertical, energy horizontal). The numbers are given, not computed here: the report passes the summary table's
 * own (experiments/row-figures.ts). The energy axis is logarithmic when the points' energies span a factor of
 * `LOG_SPAN` or more; an interval end at or below 0 on a log axis is drawn to the axis' left end.
 */
import { pickEnergyUnit, PJ_PER } from "../energy/index.js";
import { finite, label, nonEmpty } from "./check.js";
import { modelColorScale } from "./palette.js";
import { figureTitle, renderSvg, type TopLevelSpec } from "./render.js";

/** An estimate and its interval. */
export interface Interval {
  mean: number;
  lo: number;
  hi: number;
}

export interface ScoreEnergyPoint {
  task: string;
  model: string;
  /** Energy per decision in pJ. */
  energyPj: Interval;
  /** Normalised score (random = 0, expert = 100). */
  score: Interval;
}

/** Energies spanning this factor (largest mean / smallest mean) or more get a log axis. */
export const LOG_SPAN = 10;

/** Distinct marks for up to 12 tasks (Vega symbol names and SVG paths on the unit square); more tasks repeat them. */
const SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-right", "triangle-left", "M-1,-1L1,1M-1,1L1,-1", "M0,-1L0.3,-0.3L1,-0.3L0.45,0.15L0.65,1L0,0.5L-0.65,1L-0.45,0.15L-1,-0.3L-0.3,-0.3Z", "wedge", "stroke"];

export interface ScoreEnergyData {
  unit: ReturnType<typeof pickEnergyUnit>;
  log: boolean;
  /** The energy axis' domain in `unit`. */
  xDomain: [number, number];
  rows: Array<{ task: string; model: string; label: string; x: number; xlo: number; xhi: number; y: number; ylo: number; yhi: number }>;
}

/** The points as drawn: energies in the axis' unit (log axis: interval ends clamped into the domain). */
export function scoreEnergyData(points: readonly ScoreEnergyPoint[]): ScoreEnergyData {
  nonEmpty("scoreEnergy: points", points);
  points.forEach((p, i) => {
    label(`scoreEnergy: points[${i}].task`, p.task);
    label(`scoreEnergy: points[${i}].model`, p.model);
    for (const [k, v] of [["energyPj", p.energyPj], ["score", p.score]] as const) {
      for (const e of ["mean", "lo", "hi"] as const) finite(`scoreEnergy: points[${i}].${k}.${e}`, v[e]);
      if (!(v.lo <= v.mean && v.mean <= v.hi)) throw new RangeError(`scoreEnergy: points[${i}].${k}: need lo <= mean <= hi, got ${v.lo}, ${v.mean}, ${v.hi}`);
    }
    if (!(p.energyPj.mean > 0)) throw new RangeError(`scoreEnergy: points[${i}].energyPj.mean must be > 0, got ${p.energyPj.mean}`);
  });
  const unit = pickEnergyUnit(points.map((p) => p.energyPj.mean));
  const u = (pj: number) => pj / PJ_PER[unit];
  const means = points.map((p) => u(p.energyPj.mean));
  const log = Math.max(...means) / Math.min(...means) >= LOG_SPAN;
  const his = points.map((p) => u(p.energyPj.hi));
  const positive = points.flatMap((p) => (p.energyPj.lo > 0 ? [u(p.energyPj.lo)] : [])).concat(means);
  const xDomain: [number, number] = log ? [Math.min(...positive) / 1.5, Math.max(...his) * 1.5] : [0, Math.max(...his) * 1.08];
  const rows = points.map((p) => ({
    task: p.task,
    model: p.model,
    label: `${p.task} / ${p.model}`,
    x: u(p.energyPj.mean),
    xlo: log ? Math.max(xDomain[0], u(p.energyPj.lo)) : u(p.energyPj.lo),
    xhi: u(p.energyPj.hi),
    y: p.score.mean,
    ylo: p.score.lo,
    yhi: p.score.hi,
  }));
  return { unit, log, xDomain, rows };
}

/** SVG of the score-energy figure; `subtitle` says what the intervals are. */
export async function scoreEnergyPlot(points: readonly ScoreEnergyPoint[], opts: { title?: string; task?: string; subtitle?: string[] } = {}): Promise<string> {
  const d = scoreEnergyData(points);
  const tasks = [...new Set(d.rows.map((r) => r.task))];
  const models = [...new Set(d.rows.map((r) => r.model))];
  const x = { field: "x", type: "quantitative", title: `energy / decision (${d.unit}${d.log ? ", log scale" : ""})`, scale: { type: d.log ? "log" : "linear", domain: d.xDomain, nice: false } };
  const y = { field: "y", type: "quantitative", title: "normalised score (random 0, expert 100)" };
  const color = { field: "model", type: "nominal", title: "model", scale: modelColorScale(models), sort: null, legend: { orient: "right", direction: "vertical", symbolType: "circle" } };
  const shape = { field: "task", type: "nominal", title: "task", scale: { domain: tasks, range: tasks.map((_, i) => SHAPES[i % SHAPES.length]) }, sort: null, legend: { orient: "bottom", direction: "vertical", columns: tasks.length > 6 ? 2 : 1, labelLimit: 0, symbolFillColor: "#666", symbolStrokeColor: "#666" } };
  const spec = {
    title: { text: figureTitle(opts.title ?? "Normalised score against energy per decision", opts.task), ...(opts.subtitle ? { subtitle: opts.subtitle } : {}) },
    width: 300,
    height: 220,
    data: { values: d.rows },
    layer: [
      { name: "reference_lines", data: { values: [{ ref: 0 }, { ref: 100 }] }, mark: { type: "rule", strokeDash: [4, 3], color: "#999" }, encoding: { y: { field: "ref", type: "quantitative" } } },
      { name: "energy_intervals", mark: { type: "rule", strokeWidth: 1 }, encoding: { x: { ...x, field: "xlo" }, x2: { field: "xhi" }, y, color } },
      { name: "score_intervals", mark: { type: "rule", strokeWidth: 1 }, encoding: { x, y: { ...y, field: "ylo" }, y2: { field: "yhi" }, color } },
      { name: "points", mark: { type: "point", filled: true, size: 60, opacity: 1 }, encoding: { x, y, color, shape, description: { field: "label" } } },
    ],
  } as unknown as TopLevelSpec;
  return renderSvg(spec);
}
