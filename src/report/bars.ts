/**
 * Bar charts of evaluation results, one colour per model (palette.ts), sized for a paper column:
 * - returns per model and target (mean ± std over episodes), with the expert and random policies' returns as
 *   labelled horizontal lines, and the success rate in a small panel below;
 * - energy per decision per model in one unit (units.ts), the MAC part solid and the SOP part light, with an
 *   error bar of ± the sample std over decisions where the energy has it;
 * - firing rate per spiking layer, with a min-max whisker over decisions where given.
 */
import { pickEnergyUnit, PJ_PER, type EnergyReport } from "../energy/index.js";
import { finite, label, nonEmpty } from "./check.js";
import { modelColorScale } from "./palette.js";
import { renderSvg, type TopLevelSpec } from "./render.js";

export interface ReturnBar {
  model: string;
  /** The target return conditioned on (a label in the legend). */
  target: number | string;
  mean: number;
  /** Half-height of the error bar (population std over episodes, see eval/stats.ts). */
  std: number;
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
  const ys = results.flatMap((r) => [r.mean - r.std, r.mean + r.std, 0]);
  if (refs) ys.push(refs.expert, refs.random);
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const pad = (hi - lo || 1) * 0.05;
  return [lo < 0 ? lo - pad : 0, hi > 0 ? hi + pad : 0];
}

/** Mean return per model (± std), reference lines, and the success rate below when some bar has one. */
export async function returnsBar(results: readonly ReturnBar[], opts: { title?: string; yTitle?: string; references?: ReferenceLines } = {}): Promise<string> {
  nonEmpty("returnsBar: results", results);
  const several = new Set(results.map((r) => String(r.target))).size > 1;
  const values = results.map((r, i) => {
    const where = `returnsBar: results[${i}]`;
    const mean = finite(`${where}.mean`, r.mean);
    const std = finite(`${where}.std`, r.std);
    if (std < 0) throw new RangeError(`${where}.std must be >= 0, got ${std}`);
    if (typeof r.target !== "string") finite(`${where}.target`, r.target);
    const success = r.success === undefined || r.success === null ? null : finite(`${where}.success`, r.success);
    if (success !== null && (success < 0 || success > 1)) throw new RangeError(`${where}.success must be in [0, 1], got ${success}`);
    const model = label(`${where}.model`, r.model);
    return { model, bar: several ? `${model} @ ${r.target}` : model, target: String(r.target), mean, lo: mean - std, hi: mean + std, success: success === null ? null : 100 * success };
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
  const returns = {
    title: opts.title ?? `Closed-loop return${several ? "" : ` (target ${values[0]!.target})`}`,
    width,
    height: RETURNS_HEIGHT,
    layer: [
      { name: "return_bars", data: { values }, mark: "bar", encoding: { x, y: { field: "mean", type: "quantitative", title: opts.yTitle ?? "return (mean ± std)", scale: { domain, nice: false, zero: false } }, color } },
      { name: "return_std", data: { values }, mark: { type: "rule", color: "black" }, encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
      ...(refs
        ? [
            {
              name: "reference_lines",
              data: { values: [{ ref: "expert", y: refs.expert }, { ref: "random", y: refs.random }] },
              mark: { type: "rule", strokeDash: [4, 3], color: "#555" },
              encoding: { y: { field: "y", type: "quantitative" } },
            },
            {
              name: "reference_labels",
              data: { values: [{ text: `expert ${refs.expert.toFixed(2)}`, y: refs.expert }, { text: `random ${refs.random.toFixed(2)}`, y: refs.random }] },
              mark: { type: "text", align: "left", dx: 3, fontSize: 10, color: "#333" },
              encoding: { y: { field: "y", type: "quantitative" }, x: { value: width }, text: { field: "text" } },
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

export interface LayerRateBar {
  layer: string;
  /** Firing rate in [0, 1]. */
  rate: number;
  /** Model name, when several models share the chart. */
  model?: string;
  /** The spread over decisions (whisker from min to max), when measured. */
  min?: number;
  max?: number;
}

/** Firing rate per spiking layer (horizontal bars, in the given order); a record `{ layer: rate }` is one model. */
export async function firingRates(ratesPerLayer: readonly LayerRateBar[] | Readonly<Record<string, number>>, opts: { title?: string } = {}): Promise<string> {
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
    return { layer: r.layer, rate, lo, hi, spread, model: r.model ?? "" };
  });
  const models = [...new Set(values.map((v) => v.model))];
  const several = models.length > 1;
  const anySpread = values.some((v) => v.spread);
  const top = Math.max(...values.map((v) => v.hi)) * 1.15 || 1;
  const y = { field: "layer", type: "nominal", title: null, sort: null, axis: { labelLimit: 0, labelFontSize: 10 } };
  const x = { field: "rate", type: "quantitative", title: "spikes / neuron / step", scale: { zero: true, domain: [0, top], nice: false }, axis: { tickCount: 4 } };
  const color = { field: "model", type: "nominal", title: "model", scale: modelColorScale(models.map((m) => m || "STRL")), legend: several ? {} : null };
  const data = values.map((v) => ({ ...v, model: v.model || "STRL" }));
  const spec = {
    title: { text: opts.title ?? "Firing rate per LIF layer", ...(anySpread ? { subtitle: ["bar: over all decisions", "whisker: min-max over decisions"] } : {}) },
    width: 100,
    height: { step: several ? 8 : 13 },
    data: { values: data },
    encoding: { y, ...(several ? { yOffset: { field: "model", type: "nominal", sort: null } } : {}) },
    layer: [
      { name: "rate_bars", mark: "bar", encoding: { x, color } },
      ...(anySpread ? [{ name: "rate_spread", transform: [{ filter: "datum.spread" }], mark: { type: "rule", color: "black" }, encoding: { x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } } }] : []),
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
  /** Half-length of the error bar on the total (pJ), e.g. the sample std over decisions; absent = none. */
  spreadPj?: number;
}

/** The MAC / SOP split of a report, per decision. */
export function energySplit(model: string, report: EnergyReport, spreadPj?: number): EnergyBar {
  let mac = 0;
  let sop = 0;
  for (const l of report.layers) {
    if (l.input === "real") mac += l.energyPj;
    else sop += l.energyPj;
  }
  return { model, macPj: mac / report.decisions, sopPj: sop / report.decisions, ...(spreadPj !== undefined ? { spreadPj } : {}) };
}

/** Height of the energy panel in px; its y scale is linear over [0, `energyDomainTop`] in the chosen unit. */
export const ENERGY_HEIGHT = 150;

/** The unit of the energy axis and its top (largest total + error bar, + 8%), in that unit. */
export function energyAxis(perModel: readonly EnergyBar[]): { unit: ReturnType<typeof pickEnergyUnit>; top: number } {
  const unit = pickEnergyUnit(perModel.map((m) => m.macPj + m.sopPj + (m.spreadPj ?? 0)));
  const top = Math.max(...perModel.map((m) => m.macPj + m.sopPj + (m.spreadPj ?? 0))) / PJ_PER[unit];
  return { unit, top: top * 1.08 || 1 };
}

/** Energy per decision per model, stacked MAC (solid) + SOP (light), ± the given spread on the total. */
export async function energyBars(perModel: readonly EnergyBar[], opts: { title?: string; spreadLabel?: string } = {}): Promise<string> {
  nonEmpty("energyBars: models", perModel);
  const parts: Array<{ model: string; part: string; e: number }> = [];
  const totals: Array<{ model: string; lo: number; hi: number }> = [];
  perModel.forEach((m, i) => {
    label(`energyBars: models[${i}].model`, m.model);
    for (const k of ["macPj", "sopPj"] as const) {
      const v = finite(`energyBars: model '${m.model}' ${k}`, m[k]);
      if (v < 0) throw new RangeError(`energyBars: model '${m.model}' ${k} must be >= 0, got ${v}`);
    }
    if (m.spreadPj !== undefined) {
      const s = finite(`energyBars: model '${m.model}' spreadPj`, m.spreadPj);
      if (s < 0) throw new RangeError(`energyBars: model '${m.model}' spreadPj must be >= 0, got ${s}`);
    }
  });
  const { unit, top } = energyAxis(perModel);
  for (const m of perModel) {
    const u = (pj: number): number => pj / PJ_PER[unit];
    parts.push({ model: m.model, part: "MAC (real input)", e: u(m.macPj) }, { model: m.model, part: "SOP (spike input)", e: u(m.sopPj) });
    if (m.spreadPj !== undefined) totals.push({ model: m.model, lo: u(m.macPj + m.sopPj - m.spreadPj), hi: u(m.macPj + m.sopPj + m.spreadPj) });
  }
  const x = { field: "model", type: "nominal", title: null, sort: null, axis: { labelAngle: 0, labelLimit: 110 } };
  const subtitle = ["solid: MAC (real input)", "light: SOP (spike input)", ...(totals.length > 0 ? [`error bar: ± ${opts.spreadLabel ?? "spread"}`] : [])];
  const spec = {
    title: { text: opts.title ?? "Energy per decision, 45 nm", subtitle },
    width: Math.min(260, 64 * perModel.length),
    height: ENERGY_HEIGHT,
    layer: [
      {
        name: "energy_bars",
        data: { values: parts },
        mark: "bar",
        encoding: {
          x,
          y: { field: "e", type: "quantitative", title: `energy / decision (${unit})`, stack: "zero", scale: { domain: [0, top], nice: false } },
          color: { field: "model", type: "nominal", scale: modelColorScale(perModel.map((m) => m.model)), legend: null },
          opacity: { field: "part", type: "ordinal", scale: { domain: ["MAC (real input)", "SOP (spike input)"], range: [1, 0.45] }, legend: null },
          order: { field: "part", sort: "ascending" },
        },
      },
      ...(totals.length > 0 ? [{ name: "energy_spread", data: { values: totals }, mark: { type: "rule", color: "black" }, encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } }] : []),
    ],
  } as unknown as TopLevelSpec;
  return renderSvg(spec);
}

/** The bars of one model's closed-loop result (eval/rollout.ts `ClosedLoopResult`), one per target return. */
export function returnBarsOf(model: string, result: { targets: ReadonlyArray<{ targetReturn: number; returnMean: number; returnStd: number; successRate?: number | null }> }): ReturnBar[] {
  return result.targets.map((t) => ({ model, target: t.targetReturn, mean: t.returnMean, std: t.returnStd, success: t.successRate ?? null }));
}
