/**
 * Bar chart of closed-loop returns, one colour per model (palette.ts), sized for a paper column: returns per model
 * and target (mean ± std over episodes, or a given interval), with the expert and random policies' returns as
 * labelled horizontal lines, and the success rate in a small panel below;
 * energy-bars.ts and firing-rates.ts hold the energy and firing-rate bars.
 */
import { finite, label, nonEmpty } from "./check.js";
import { modelColorScale } from "./palette.js";
import { figureTitle, renderSvg, type TopLevelSpec } from "./render.js";
import { tickAxis } from "./ticks.js";

export interface ReturnBar {
  model: string;
  /** The target return conditioned on (a label in the legend). */
  target: number | string;
  mean: number;
  /** Half-height of the error bar (population std over episodes, see eval/stats.ts). */
  std: number;
  /** An asymmetric error bar [lo, hi] (e.g. a 95% bootstrap interval of the mean); overrides `std`. */
  interval?: [number, number];
  /** Success rate in [0, 1]; null or absent where the env defines no success. */
  success?: number | null;
}

export interface ReferenceLines {
  expert: number;
  random: number;
}

/** Height of the returns panel in px; its y scale is linear over `returnsDomain`. */
export const RETURNS_HEIGHT = 150;

/** The y domain of the returns panel: every bar end, error bar end and reference line, 5% margin each side. */
export function returnsDomain(results: readonly ReturnBar[], refs?: ReferenceLines): [number, number] {
  const ys = results.flatMap((r) => [...(r.interval ?? [r.mean - r.std, r.mean + r.std]), 0]);
  if (refs) ys.push(refs.expert, refs.random);
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const pad = (hi - lo || 1) * 0.05;
  return [lo < 0 ? lo - pad : 0, hi > 0 ? hi + pad : 0];
}

/** Mean return per model (± std), reference lines, and the success rate below when some bar has one. */
export async function returnsBar(results: readonly ReturnBar[], opts: { title?: string; task?: string; yTitle?: string; references?: ReferenceLines } = {}): Promise<string> {
  nonEmpty("returnsBar: results", results);
  const several = new Set(results.map((r) => String(r.target))).size > 1;
  const values = results.map((r, i) => {
    const where = `returnsBar: results[${i}]`;
    const mean = finite(`${where}.mean`, r.mean);
    const std = finite(`${where}.std`, r.std);
    if (std < 0) throw new RangeError(`${where}.std must be >= 0, got ${std}`);
    const [lo, hi] = r.interval ? r.interval.map((v, j) => finite(`${where}.interval[${j}]`, v)) : [mean - std, mean + std];
    if (lo! > hi!) throw new RangeError(`${where}.interval [${lo}, ${hi}] is reversed`);
    if (typeof r.target !== "string") finite(`${where}.target`, r.target);
    const success = r.success === undefined || r.success === null ? null : finite(`${where}.success`, r.success);
    if (success !== null && (success < 0 || success > 1)) throw new RangeError(`${where}.success must be in [0, 1], got ${success}`);
    const model = label(`${where}.model`, r.model);
    return { model, bar: several ? `${model} @ ${r.target}` : model, target: String(r.target), mean, lo: lo!, hi: hi!, success: success === null ? null : 100 * success };
  });
  const refs = opts.references;
  if (refs) {
    finite("returnsBar: references.expert", refs.expert);
    finite("returnsBar: references.random", refs.random);
  }
  const color = { field: "model", type: "nominal", title: "model", scale: modelColorScale(values.map((v) => v.model)), sort: null, legend: null };
  const x = { field: "bar", type: "nominal", title: null, sort: null, axis: { labelAngle: 0, labelLimit: 110 } };
  const width = Math.min(260, 60 * values.length);
  const domain = returnsDomain(results, refs);
  // every layer's y names the same axis: Vega-Lite merges the layers' axes, and a layer without it resets the ticks
  const yAxis = { axis: tickAxis(domain[0], domain[1]) };
  const returns = {
    title: figureTitle(opts.title ?? `Closed-loop return${several ? "" : ` (target ${values[0]!.target})`}`, opts.task),
    width,
    height: RETURNS_HEIGHT,
    layer: [
      { name: "return_bars", data: { values }, mark: "bar", encoding: { x, y: { field: "mean", type: "quantitative", title: opts.yTitle ?? "return (mean ± std)", scale: { domain, nice: false, zero: false }, ...yAxis }, color } },
      { name: "return_std", data: { values }, mark: { type: "rule", color: "black" }, encoding: { x, y: { field: "lo", type: "quantitative", ...yAxis }, y2: { field: "hi" } } },
      ...(refs
        ? [
            {
              name: "reference_lines",
              data: { values: [{ ref: "expert", y: refs.expert }, { ref: "random", y: refs.random }] },
              mark: { type: "rule", strokeDash: [4, 3], color: "#555" },
              encoding: { y: { field: "y", type: "quantitative", ...yAxis } },
            },
            {
              name: "reference_labels",
              data: { values: [{ text: `expert ${refs.expert.toFixed(2)}`, y: refs.expert }, { text: `random ${refs.random.toFixed(2)}`, y: refs.random }] },
              mark: { type: "text", align: "left", dx: 3, fontSize: 10, color: "#333" },
              encoding: { y: { field: "y", type: "quantitative", ...yAxis }, x: { value: width }, text: { field: "text" } },
            },
          ]
        : []),
    ],
  };
  const withSuccess = values.filter((v) => v.success !== null);
  const panels: Record<string, unknown>[] = [returns];
  if (withSuccess.length > 0) {
    panels.push({
      title: "Success rate",
      width,
      height: 60,
      data: { values },
      layer: [
        { name: "success_bars", mark: "bar", encoding: { x, y: { field: "success", type: "quantitative", title: "success %", scale: { domain: [0, 100], nice: false }, axis: { values: [0, 50, 100] } }, color } },
        { name: "success_labels", mark: { type: "text", dy: -5, fontSize: 10 }, encoding: { x, y: { field: "success", type: "quantitative" }, text: { field: "success", type: "quantitative", format: ".0f" } } },
      ],
    });
  }
  return renderSvg({ vconcat: panels, resolve: { scale: { x: "independent" } } } as unknown as TopLevelSpec);
}

/** The bars of one model's closed-loop result (eval/rollout.ts `ClosedLoopResult`), one per target return. */
export function returnBarsOf(model: string, result: { targets: ReadonlyArray<{ targetReturn: number; returnMean: number; returnStd: number; successRate?: number | null }> }): ReturnBar[] {
  return result.targets.map((t) => ({ model, target: t.targetReturn, mean: t.returnMean, std: t.returnStd, success: t.successRate ?? null }));
}
