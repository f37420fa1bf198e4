/**
 * Learning curves: training loss and validation accuracy (or MSE, for continuous actions) against the update
 * step, one colour per model (palette.ts), stacked for a paper column. The loss is drawn twice: the raw
 * per-step values faint, and an exponential moving average (weight `smooth` on the past, default 0.9,
 * bias-corrected as TensorBoard does: run-plot.ts `ema`) on top. Input: the trainer's log records
 * (src/train/log.ts keys `training/loss`, `evaluation/accuracy`, `evaluation/mse`). Several logs with the same
 * model name are seeds of that model: each curve is then the mean over seeds at each step (the EMA taken per
 * seed first) with a band of the 95% t interval of the mean over seeds (run-plot.ts `aggregate`).
 */
import { finite, label, nonEmpty } from "./check.js";
import { modelColorScale } from "./palette.js";
import { figureTitle, renderSvg, type TopLevelSpec } from "./render.js";
import { aggregate, ema, PANEL_RANGES, type BandPoint } from "./run-plot.js";

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

/** The raw training loss and its EMA per log (what the loss panel draws, before the mean over seeds). */
export function lossCurves(logs: readonly ModelLog[], smooth = 0.9): { raw: CurvePoint[]; smoothed: CurvePoint[] } {
  if (!(smooth >= 0 && smooth < 1)) throw new RangeError(`learningCurves: smooth must be in [0, 1), got ${smooth}`);
  const raw: CurvePoint[] = [];
  const smoothed: CurvePoint[] = [];
  for (const l of logs) {
    const mine = points([l], "training/loss");
    const ys = ema(mine.map((p) => p.value), smooth);
    raw.push(...mine);
    mine.forEach((p, i) => smoothed.push({ ...p, value: ys[i]! }));
  }
  return { raw, smoothed };
}

const WIDTH = 260;

type Layer = { values: BandPoint[]; mark: Record<string, unknown>; name: string };

function panel(title: string, yTitle: string, color: Record<string, unknown>, layers: Layer[], bands: boolean): Record<string, unknown> {
  const x = { field: "step", type: "quantitative", title: "update step" };
  const y = { field: "mean", type: "quantitative", title: yTitle, scale: { zero: false } };
  const band = (l: Layer) => ({ name: `${l.name}_band`, data: { values: l.values }, mark: { type: "area", opacity: 0.12 }, encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color } });
  return {
    title,
    width: WIDTH,
    height: 100,
    layer: [
      ...(bands ? layers.filter((l) => l.name !== "loss_raw").map(band) : []),
      ...layers.map((l) => ({ name: l.name, data: { values: l.values }, mark: l.mark, encoding: { x, y, color } })),
    ],
  };
}

/** SVG of the loss (top) and validation metric (bottom) curves; `task` is added to the title. */
export async function learningCurves(logs: readonly ModelLog[], opts: { title?: string; task?: string; smooth?: number } = {}): Promise<string> {
  nonEmpty("learningCurves: logs", logs);
  const names = new Set<string>();
  for (const l of logs) {
    label("learningCurves: model name", l.model);
    names.add(l.model);
    nonEmpty(`learningCurves: records of model '${l.model}'`, l.records as unknown[]);
  }
  const smooth = opts.smooth ?? 0.9;
  lossCurves(logs, smooth); // checks every loss value and the weight
  const runs = logs.map((l) => ({ label: l.model, records: l.records }));
  const num = (k: string) => (r: Record<string, unknown>) => (typeof r[k] === "number" ? (r[k] as number) : undefined);
  const raw = aggregate(runs, num("training/loss"), 0, PANEL_RANGES.loss);
  if (raw.length === 0) throw new RangeError("learningCurves: no record has a 'training/loss' value");
  const smoothed = aggregate(runs, num("training/loss"), smooth, PANEL_RANGES.loss);
  const seeds = logs.length > names.size;
  const color = { field: "label", type: "nominal", title: "model", scale: modelColorScale(names), sort: null, legend: { symbolOpacity: 1, symbolType: "stroke", symbolStrokeWidth: 2 } };
  const panels = [
    panel(`Training loss (EMA ${smooth}, raw faint)`, "loss", color, [
      { name: "loss_raw", values: raw, mark: { type: "line", opacity: 0.25, strokeWidth: 0.8 } },
      { name: "loss_ema", values: smoothed, mark: { type: "line", strokeWidth: 1.6 } },
    ], seeds),
  ];
  const acc = aggregate(runs, num("evaluation/accuracy"), 0, PANEL_RANGES.accuracy);
  const mse = acc.length > 0 ? [] : aggregate(runs, num("evaluation/mse"), 0, PANEL_RANGES.mse);
  const point = { type: "line", point: { size: 14 }, strokeWidth: 1.2 };
  if (acc.length > 0) panels.push(panel("Validation accuracy (held-out)", "per-step accuracy", color, [{ name: "validation", values: acc, mark: point }], seeds));
  else if (mse.length > 0) panels.push(panel("Validation action MSE (held-out)", "per-step MSE", color, [{ name: "validation", values: mse, mark: point }], seeds));
  const counts = [...names].map((n) => logs.filter((l) => l.model === n).length);
  const subtitle = seeds ? `mean over seeds (${[...names].map((n, i) => `${n} ${counts[i]}`).join(", ")}); band: 95% t CI of the mean` : undefined;
  const spec = { title: { text: figureTitle(opts.title ?? "Learning curves", opts.task), ...(subtitle ? { subtitle } : {}) }, vconcat: panels, resolve: { scale: { color: "shared" } } } as unknown as TopLevelSpec;
  return renderSvg(spec);
}
