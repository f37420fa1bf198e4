/**
 * Learning curves: training loss and validation accuracy (or MSE, for continuous actions) against the update
 * step, one line per model, side by side. Input: the trainer's log records (src/train/log.ts keys
 * `training/loss`, `evaluation/accuracy`, `evaluation/mse`).
 */
import { finite, label, nonEmpty } from "./check.js";
import { renderSvg, type TopLevelSpec } from "./render.js";

export interface ModelLog {
  model: string;
  /** Log records, `{ step, "training/loss", "evaluation/accuracy" | "evaluation/mse", ... }`. */
  records: ReadonlyArray<{ step: number; [key: string]: unknown }>;
}

interface Point {
  model: string;
  step: number;
  value: number;
}

function points(logs: readonly ModelLog[], key: string): Point[] {
  const out: Point[] = [];
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

function panel(title: string, yTitle: string, values: Point[], withPoints: boolean): Record<string, unknown> {
  return {
    title,
    width: 300,
    height: 200,
    data: { values },
    mark: { type: "line", point: withPoints },
    encoding: {
      x: { field: "step", type: "quantitative", title: "update step" },
      y: { field: "value", type: "quantitative", title: yTitle, scale: { zero: false } },
      color: { field: "model", type: "nominal", title: "model" },
    },
  };
}

/** SVG of the loss (left) and validation metric (right) curves. */
export async function learningCurves(logs: readonly ModelLog[], opts: { title?: string } = {}): Promise<string> {
  nonEmpty("learningCurves: logs", logs);
  const names = new Set<string>();
  for (const l of logs) {
    label("learningCurves: model name", l.model);
    if (names.has(l.model)) throw new RangeError(`learningCurves: duplicate model name '${l.model}'`);
    names.add(l.model);
    nonEmpty(`learningCurves: records of model '${l.model}'`, l.records as unknown[]);
  }
  const loss = points(logs, "training/loss");
  if (loss.length === 0) throw new RangeError("learningCurves: no record has a 'training/loss' value");
  const acc = points(logs, "evaluation/accuracy");
  const mse = acc.length > 0 ? [] : points(logs, "evaluation/mse");
  const panels = [panel("Training loss", "loss", loss, false)];
  if (acc.length > 0) panels.push(panel("Validation accuracy", "per-step action accuracy", acc, true));
  else if (mse.length > 0) panels.push(panel("Validation action MSE", "per-step action MSE", mse, true));
  const spec = { title: opts.title ?? "Learning curves", hconcat: panels, resolve: { scale: { color: "shared" } } } as unknown as TopLevelSpec;
  return renderSvg(spec);
}
