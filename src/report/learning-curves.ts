/**
 * Learning curves: training loss and validation accuracy (or MSE, for continuous actions) against the update
 * step, one colour per model (palette.ts), stacked for a paper column. The loss is drawn twice: the raw
 * per-step values faint, and an exponential moving average (weight `smooth` on the past, default 0.9,
 * bias-corrected as TensorBoard does: run-plot.ts `ema`) on top. Input: the trainer's log records
 * (src/train/log.ts keys `training/loss`, `evaluation/accuracy`, `evaluation/mse`).
 */
import { finite, label, nonEmpty } from "./check.js";
import { modelColorScale } from "./palette.js";
import { renderSvg, type TopLevelSpec } from "./render.js";
import { ema } from "./run-plot.js";

export interface ModelLog {
  model: string;
  /** Log records, `{ step, "training/loss", "evaluation/accuracy" | "evaluation/mse", ... }`. */
  records: ReadonlyArray<{ step: number; [key: string]: unknown }>;
}

export interface CurvePoint {
  model: string;
  step: number;
  value: number;
}

function points(logs: readonly ModelLog[], key: string): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const l of logs) {
    for (const [i, r] of l.records.entries()) {
      const v = r[key];
      if (v === undefined) continue;
      const where = `learningCurves: model '${l.model}' record ${i}`;
      out.push({ model: l.model, step: finite(`${where} step`, r.step), value: finite(`${where} '${key}'`, v) });
    }
  }
  return out;
}

/** The raw training loss and its EMA per model (the points the loss panel draws). */
export function lossCurves(logs: readonly ModelLog[], smooth = 0.9): { raw: CurvePoint[]; smoothed: CurvePoint[] } {
  if (!(smooth >= 0 && smooth < 1)) throw new RangeError(`learningCurves: smooth must be in [0, 1), got ${smooth}`);
  const raw = points(logs, "training/loss");
  const smoothed: CurvePoint[] = [];
  for (const l of logs) {
    const mine = raw.filter((p) => p.model === l.model);
    const ys = ema(mine.map((p) => p.value), smooth);
    mine.forEach((p, i) => smoothed.push({ ...p, value: ys[i]! }));
  }
  return { raw, smoothed };
}

const WIDTH = 260;

function panel(title: string, yTitle: string, color: Record<string, unknown>, layers: Array<{ values: CurvePoint[]; mark: Record<string, unknown>; name: string }>): Record<string, unknown> {
  const x = { field: "step", type: "quantitative", title: "update step" };
  const y = { field: "value", type: "quantitative", title: yTitle, scale: { zero: false } };
  return {
    title,
    width: WIDTH,
    height: 100,
    layer: layers.map((l) => ({ name: l.name, data: { values: l.values }, mark: l.mark, encoding: { x, y, color } })),
  };
}

/** SVG of the loss (top) and validation metric (bottom) curves. */
export async function learningCurves(logs: readonly ModelLog[], opts: { title?: string; smooth?: number } = {}): Promise<string> {
  nonEmpty("learningCurves: logs", logs);
  const names = new Set<string>();
  for (const l of logs) {
    label("learningCurves: model name", l.model);
    if (names.has(l.model)) throw new RangeError(`learningCurves: duplicate model name '${l.model}'`);
    names.add(l.model);
    nonEmpty(`learningCurves: records of model '${l.model}'`, l.records as unknown[]);
  }
  const smooth = opts.smooth ?? 0.9;
  const { raw, smoothed } = lossCurves(logs, smooth);
  if (raw.length === 0) throw new RangeError("learningCurves: no record has a 'training/loss' value");
  const color = { field: "model", type: "nominal", title: "model", scale: modelColorScale(names), sort: null, legend: { symbolOpacity: 1, symbolType: "stroke", symbolStrokeWidth: 2 } };
  const panels = [
    panel(`Training loss (EMA ${smooth}, raw faint)`, "loss", color, [
      { name: "loss_raw", values: raw, mark: { type: "line", opacity: 0.25, strokeWidth: 0.8 } },
      { name: "loss_ema", values: smoothed, mark: { type: "line", strokeWidth: 1.6 } },
    ]),
  ];
  const acc = points(logs, "evaluation/accuracy");
  const mse = acc.length > 0 ? [] : points(logs, "evaluation/mse");
  const point = { type: "line", point: { size: 14 }, strokeWidth: 1.2 };
  if (acc.length > 0) panels.push(panel("Validation accuracy (held-out)", "per-step accuracy", color, [{ name: "validation", values: acc, mark: point }]));
  else if (mse.length > 0) panels.push(panel("Validation action MSE (held-out)", "per-step MSE", color, [{ name: "validation", values: mse, mark: point }]));
  const spec = { title: opts.title ?? "Learning curves", vconcat: panels, resolve: { scale: { color: "shared" } } } as unknown as TopLevelSpec;
  return renderSvg(spec);
}
