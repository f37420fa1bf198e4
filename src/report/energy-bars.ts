/**
 * Energy per decision per model in one unit (units.ts), one colour per model (palette.ts): the MAC part (real
 * inputs) solid and the SOP part (spike inputs) light, stacked, with a legend for the two shades, and an error
 * bar on the total where a spread is given (`spreadLabel` says what it is).
 */
import { pickEnergyUnit, PJ_PER, type EnergyReport } from "../energy/index.js";
import { finite, label, nonEmpty } from "./check.js";
import { modelColorScale } from "./palette.js";
import { figureTitle, renderSvg, type TopLevelSpec } from "./render.js";
import { tickAxis } from "./ticks.js";

export interface EnergyBar {
  model: string;
  /** pJ per decision spent on MACs (real-valued inputs). */
  macPj: number;
  /** pJ per decision spent on synaptic operations (spike inputs). */
  sopPj: number;
  /** Half-length of the error bar on the total (pJ), e.g. the sample std over decisions; absent = none. */
  spreadPj?: number;
  /** An asymmetric error bar on the total, [lo, hi] in pJ (e.g. a 95% interval over seeds); overrides `spreadPj`. */
  intervalPj?: [number, number];
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

/** The two parts of a bar, as the legend names them. */
export const ENERGY_PARTS = ["MAC (real input)", "SOP (spike input)"] as const;

/** The error bar of a model in pJ, or undefined. */
const errorOf = (m: EnergyBar): [number, number] | undefined =>
  m.intervalPj ?? (m.spreadPj !== undefined ? [m.macPj + m.sopPj - m.spreadPj, m.macPj + m.sopPj + m.spreadPj] : undefined);

/** The unit of the energy axis and its top (largest total or error bar end, + 8%), in that unit. */
export function energyAxis(perModel: readonly EnergyBar[]): { unit: ReturnType<typeof pickEnergyUnit>; top: number } {
  const ends = perModel.map((m) => Math.max(m.macPj + m.sopPj, errorOf(m)?.[1] ?? 0));
  const unit = pickEnergyUnit(ends);
  return { unit, top: (Math.max(...ends) / PJ_PER[unit]) * 1.08 || 1 };
}

/**
 * Energy per decision per model, stacked MAC (solid) + SOP (light), with the given error bar on the total;
 * `spreadLabel` names it ("± " is put before it for `spreadPj`, not for `intervalPj`).
 */
export async function energyBars(perModel: readonly EnergyBar[], opts: { title?: string; task?: string; spreadLabel?: string } = {}): Promise<string> {
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
    if (m.intervalPj !== undefined) {
      const [lo, hi] = m.intervalPj.map((v, j) => finite(`energyBars: model '${m.model}' intervalPj[${j}]`, v));
      if (lo! > hi!) throw new RangeError(`energyBars: model '${m.model}' intervalPj [${lo}, ${hi}] is reversed`);
    }
  });
  const { unit, top } = energyAxis(perModel);
  const u = (pj: number): number => pj / PJ_PER[unit];
  for (const m of perModel) {
    parts.push({ model: m.model, part: ENERGY_PARTS[0], e: u(m.macPj) }, { model: m.model, part: ENERGY_PARTS[1], e: u(m.sopPj) });
    const err = errorOf(m);
    if (err) totals.push({ model: m.model, lo: u(err[0]), hi: u(err[1]) });
  }
  const x = { field: "model", type: "nominal", title: null, sort: null, axis: { labelAngle: 0, labelLimit: 110 } };
  const spec = {
    title: { text: figureTitle(opts.title ?? "Energy per decision, 45 nm", opts.task), ...(totals.length > 0 ? { subtitle: `error bar: ${perModel.some((m) => m.intervalPj) ? "" : "± "}${opts.spreadLabel ?? "spread"}` } : {}) },
    width: Math.min(260, 64 * perModel.length),
    height: ENERGY_HEIGHT,
    layer: [
      {
        name: "energy_bars",
        data: { values: parts },
        mark: "bar",
        encoding: {
          x,
          y: { field: "e", type: "quantitative", title: `energy / decision (${unit})`, stack: "zero", scale: { domain: [0, top], nice: false }, axis: tickAxis(0, top) },
          color: { field: "model", type: "nominal", scale: modelColorScale(perModel.map((m) => m.model)), legend: null },
          opacity: {
            field: "part",
            type: "ordinal", // ordered by the domain below (a nominal opacity makes vega-lite warn on stderr)
            title: null,
            scale: { domain: [...ENERGY_PARTS], range: [1, 0.4] },
            legend: { orient: "bottom", direction: "horizontal", symbolType: "square", symbolFillColor: "#555", symbolStrokeWidth: 0, symbolSize: 120 },
          },
          order: { field: "part", sort: "ascending" },
        },
      },
      ...(totals.length > 0 ? [{ name: "energy_spread", data: { values: totals }, mark: { type: "rule", color: "black" }, encoding: { x, y: { field: "lo", type: "quantitative", axis: tickAxis(0, top) }, y2: { field: "hi" } } }] : []),
    ],
  } as unknown as TopLevelSpec;
  return renderSvg(spec);
}
