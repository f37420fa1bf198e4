/**
 * Firing rate per spiking layer (horizontal bars, in the given order), one colour per model (palette.ts), with a
 * whisker where a spread is given (min-max over decisions, or an interval over seeds: `spreadLabel` says which).
 * Layers are labelled in words ("block 2 attention: score", models/layer-names.ts); each bar keeps its code name
 * (`blocks.1.attn.score_lif`) as its SVG description, so the code names are still in the file.
 */
import { layerLabel } from "../models/layer-names.js";
import { finite, label, nonEmpty } from "./check.js";
import { modelColorScale } from "./palette.js";
import { figureTitle, renderSvg, type TopLevelSpec } from "./render.js";
import { tickAxis } from "./ticks.js";

/** Width of the rate axis in px (room for 4 to 6 tick labels). */
export const RATES_WIDTH = 160;

export interface LayerRateBar {
  /** The layer's code name (`blocks.0.attn.q_lif`); the figure shows `layerLabel` of it. */
  layer: string;
  /** Firing rate in [0, 1]. */
  rate: number;
  /** Model name, when several models share the chart. */
  model?: string;
  /** The spread (whisker from min to max), when measured. */
  min?: number;
  max?: number;
}

export interface FiringRateOptions {
  title?: string;
  /** The task shown, added to the title (figureTitle). */
  task?: string;
  /** What the whisker is (default "min-max over decisions"). */
  spreadLabel?: string;
  /** What the bar is (default "over all decisions"). */
  barLabel?: string;
}

/** Firing rate per spiking layer; a record `{ layer: rate }` is one model. */
export async function firingRates(ratesPerLayer: readonly LayerRateBar[] | Readonly<Record<string, number>>, opts: FiringRateOptions = {}): Promise<string> {
  const rows: LayerRateBar[] = Array.isArray(ratesPerLayer)
    ? [...(ratesPerLayer as readonly LayerRateBar[])]
    : Object.entries(ratesPerLayer as Record<string, number>).map(([layer, rate]) => ({ layer, rate }));
  nonEmpty("firingRates: rates", rows);
  const unit = (where: string, v: number): number => {
    if (v < 0 || v > 1) throw new RangeError(`${where} must be in [0, 1], got ${v}`);
    return v;
  };
  const values = rows.map((r, i) => {
    const where = `firingRates: layer '${String(r.layer)}'`;
    label(`firingRates: rates[${i}].layer`, r.layer);
    const rate = unit(`${where} rate`, finite(`${where} rate`, r.rate));
    const spread = r.min !== undefined && r.max !== undefined;
    if ((r.min === undefined) !== (r.max === undefined)) throw new RangeError(`${where}: give both min and max, or neither`);
    const lo = spread ? unit(`${where} min`, finite(`${where} min`, r.min)) : rate;
    const hi = spread ? unit(`${where} max`, finite(`${where} max`, r.max)) : rate;
    if (lo > hi) throw new RangeError(`${where}: min ${lo} is above max ${hi}`);
    return { layer: layerLabel(r.layer), code: r.layer, rate, lo, hi, spread, model: r.model ?? "" };
  });
  const models = [...new Set(values.map((v) => v.model))];
  const several = models.length > 1;
  const anySpread = values.some((v) => v.spread);
  const top = Math.max(...values.map((v) => v.hi)) * 1.15 || 1;
  const y = { field: "layer", type: "nominal", title: null, sort: null, axis: { labelLimit: 0, labelFontSize: 10 } };
  const x = { field: "rate", type: "quantitative", title: "spikes / neuron / step", scale: { zero: true, domain: [0, top], nice: false }, axis: tickAxis(0, top) };
  const color = { field: "model", type: "nominal", title: "model", scale: modelColorScale(models.map((m) => m || "STRL")), legend: several ? {} : null };
  const data = values.map((v) => ({ ...v, model: v.model || "STRL" }));
  const subtitle = anySpread ? [`bar: ${opts.barLabel ?? "over all decisions"}`, `whisker: ${opts.spreadLabel ?? "min-max over decisions"}`] : opts.barLabel ? [`bar: ${opts.barLabel}`] : [];
  const spec = {
    title: { text: figureTitle(opts.title ?? "Firing rate per LIF layer", opts.task), ...(subtitle.length ? { subtitle } : {}) },
    width: RATES_WIDTH,
    height: { step: several ? 8 : 13 },
    data: { values: data },
    encoding: { y, ...(several ? { yOffset: { field: "model", type: "nominal", sort: null } } : {}) },
    layer: [
      { name: "rate_bars", mark: "bar", encoding: { x, color, description: { field: "code" } } },
      ...(anySpread ? [{ name: "rate_spread", transform: [{ filter: "datum.spread" }], mark: { type: "rule", color: "black" }, encoding: { x: { field: "lo", type: "quantitative", axis: x.axis }, x2: { field: "hi" } } }] : []),
    ],
  } as unknown as TopLevelSpec;
  return renderSvg(spec);
}
