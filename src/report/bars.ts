/**
 * Bar charts of evaluation results: returns per model and target (mean with ± std error bars), firing rate per
 * spiking layer, and energy per decision per model (split into MAC energy of real-input layers and SOP energy
 * of spike-input layers).
 */
import type { EnergyReport } from "../energy/index.js";
import { finite, label, nonEmpty } from "./check.js";
import { renderSvg, type TopLevelSpec } from "./render.js";

export interface ReturnBar {
  model: string;
  /** The target return conditioned on (a label in the legend). */
  target: number | string;
  mean: number;
  /** Half-height of the error bar (population std over episodes, see eval/stats.ts). */
  std: number;
}

/** Mean return per model, one bar per target return, with ± std error bars. */
export async function returnsBar(results: readonly ReturnBar[], opts: { title?: string; yTitle?: string } = {}): Promise<string> {
  nonEmpty("returnsBar: results", results);
  const values = results.map((r, i) => {
    const where = `returnsBar: results[${i}]`;
    const mean = finite(`${where}.mean`, r.mean);
    const std = finite(`${where}.std`, r.std);
    if (std < 0) throw new RangeError(`${where}.std must be >= 0, got ${std}`);
    if (typeof r.target !== "string") finite(`${where}.target`, r.target);
    return { model: label(`${where}.model`, r.model), target: String(r.target), mean, lo: mean - std, hi: mean + std };
  });
  const enc = {
    x: { field: "model", type: "nominal", title: "model", sort: null, axis: { labelAngle: -30, labelAlign: "right", labelLimit: 160 } },
    xOffset: { field: "target", type: "nominal", sort: null },
  };
  const spec = {
    title: opts.title ?? "Closed-loop return per model (mean ± std)",
    width: { step: 28 },
    height: 240,
    data: { values },
    encoding: enc,
    layer: [
      {
        mark: "bar",
        encoding: {
          y: { field: "mean", type: "quantitative", title: opts.yTitle ?? "return" },
          color: { field: "target", type: "nominal", title: "target return", sort: null },
        },
      },
      { mark: { type: "rule", color: "black" }, encoding: { y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
    ],
  } as unknown as TopLevelSpec;
  return renderSvg(spec);
}

export interface LayerRateBar {
  layer: string;
  /** Firing rate in [0, 1]. */
  rate: number;
  /** Model name, when several models share the chart. */
  model?: string;
}

/** Firing rate per spiking layer (horizontal bars, in the given order); a record `{ layer: rate }` is one model. */
export async function firingRates(ratesPerLayer: readonly LayerRateBar[] | Readonly<Record<string, number>>, opts: { title?: string } = {}): Promise<string> {
  const rows: LayerRateBar[] = Array.isArray(ratesPerLayer)
    ? [...(ratesPerLayer as readonly LayerRateBar[])]
    : Object.entries(ratesPerLayer as Record<string, number>).map(([layer, rate]) => ({ layer, rate }));
  nonEmpty("firingRates: rates", rows);
  const values = rows.map((r, i) => {
    const where = `firingRates: layer '${String(r.layer)}'`;
    label(`firingRates: rates[${i}].layer`, r.layer);
    const rate = finite(`${where} rate`, r.rate);
    if (rate < 0 || rate > 1) throw new RangeError(`${where} rate must be in [0, 1], got ${rate}`);
    return { layer: r.layer, rate, model: r.model ?? "" };
  });
  const several = new Set(values.map((v) => v.model)).size > 1;
  // The rate axis starts at 0 and ends at the data (untrained or sparse networks fire rarely); labels give the values.
  const y = { field: "layer", type: "nominal", title: "layer", sort: null, axis: { labelLimit: 280 } };
  const spec = {
    title: opts.title ?? "Firing rate per spiking layer",
    width: 320,
    height: { step: several ? 10 : 16 },
    data: { values },
    encoding: {
      y,
      x: { field: "rate", type: "quantitative", title: "firing rate (spikes / neuron / step)", scale: { zero: true, domainMax: Math.max(...values.map((v) => v.rate)) * 1.15 || 1 } },
      ...(several ? { yOffset: { field: "model", type: "nominal" }, color: { field: "model", type: "nominal", title: "model" } } : {}),
    },
    layer: [
      { mark: "bar" },
      ...(several ? [] : [{ mark: { type: "text", align: "left", dx: 3, fontSize: 10 }, encoding: { text: { field: "rate", type: "quantitative", format: ".3f" } } }]),
    ],
  } as unknown as TopLevelSpec;
  return renderSvg(spec);
}

export interface EnergyBar {
  model: string;
  /** pJ per decision spent on MACs (real-valued inputs). */
  macPj: number;
  /** pJ per decision spent on synaptic operations (spike inputs). */
  sopPj: number;
}

/** The MAC / SOP split of a report, per decision. */
export function energySplit(model: string, report: EnergyReport): EnergyBar {
  let mac = 0;
  let sop = 0;
  for (const l of report.layers) {
    if (l.input === "real") mac += l.energyPj;
    else sop += l.energyPj;
  }
  return { model, macPj: mac / report.decisions, sopPj: sop / report.decisions };
}

/** Energy per decision per model, stacked MAC + SOP bars. */
export async function energyBars(perModel: readonly EnergyBar[], opts: { title?: string } = {}): Promise<string> {
  nonEmpty("energyBars: models", perModel);
  const values: Array<{ model: string; part: string; pj: number }> = [];
  perModel.forEach((m, i) => {
    label(`energyBars: models[${i}].model`, m.model);
    for (const [k, part] of [["macPj", "MAC (real input)"], ["sopPj", "SOP (spike input)"]] as const) {
      const v = finite(`energyBars: model '${m.model}' ${k}`, m[k]);
      if (v < 0) throw new RangeError(`energyBars: model '${m.model}' ${k} must be >= 0, got ${v}`);
      values.push({ model: m.model, part, pj: v });
    }
  });
  const spec = {
    title: opts.title ?? "Energy per decision (45 nm estimate)",
    width: { step: 70 },
    height: 240,
    data: { values },
    mark: "bar",
    encoding: {
      x: { field: "model", type: "nominal", title: "model", sort: null, axis: { labelAngle: -30, labelAlign: "right", labelLimit: 160 } },
      y: { field: "pj", type: "quantitative", title: "energy per decision (pJ)", stack: "zero", axis: { format: "~s" } },
      color: { field: "part", type: "nominal", title: "operation", sort: null },
    },
  } as unknown as TopLevelSpec;
  return renderSvg(spec);
}

/** The bars of one model's closed-loop result (eval/rollout.ts `ClosedLoopResult`), one per target return. */
export function returnBarsOf(model: string, result: { targets: ReadonlyArray<{ targetReturn: number; returnMean: number; returnStd: number }> }): ReturnBar[] {
  return result.targets.map((t) => ({ model, target: t.targetReturn, mean: t.returnMean, std: t.returnStd }));
}
