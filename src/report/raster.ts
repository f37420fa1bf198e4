/**
 * Spike raster of one decision as a compact grid of heatmaps, one small panel per LIF layer (attention neurons
 * included: q, k, v, score and the MLP's), in the model's order, `columns` panels per row. In a panel a dark
 * cell is a spike: rows are time steps t = 0 .. T-1 (top to bottom), columns the neurons shown (those of the
 * decision token, up to 64; eval/spikes.ts `captureSpikes`). Each panel is titled with the layer's name in words
 * ("block 1 attention: query", models/layer-names.ts; its code name is the cells' SVG description) and its rate
 * over the cells shown. Input spikes are [T][neurons] 0/1.
 */
import { layerLabel } from "../models/layer-names.js";
import { label, nonEmpty } from "./check.js";
import { figureTitle, renderSvg, type TopLevelSpec } from "./render.js";

export interface RasterLayer {
  layer: string;
  /** [T][neurons] 0/1 */
  spikes: readonly (readonly number[])[];
}

/** Width of one panel in px (two panels per row fit a paper column). */
export const RASTER_PANEL_WIDTH = 150;

/** SVG grid; a bare [T][neurons] matrix is one layer named "spikes". */
export async function spikeRaster(input: readonly RasterLayer[] | readonly (readonly number[])[], opts: { title?: string; task?: string; columns?: number } = {}): Promise<string> {
  nonEmpty("spikeRaster: input", input as readonly unknown[]);
  const layers: RasterLayer[] = Array.isArray(input[0]) ? [{ layer: "spikes", spikes: input as readonly (readonly number[])[] }] : [...(input as readonly RasterLayer[])];
  const panels = layers.map((l, li) => {
    label(`spikeRaster: layers[${li}].layer`, l.layer);
    const rows = nonEmpty(`spikeRaster: spikes of layer '${l.layer}'`, l.spikes as readonly (readonly number[])[]);
    const n = rows[0]!.length;
    if (n === 0) throw new RangeError(`spikeRaster: layer '${l.layer}' has no neurons`);
    const values: Array<{ t: number; t1: number; neuron: number; neuron1: number }> = [];
    rows.forEach((row, t) => {
      if (row.length !== n) throw new RangeError(`spikeRaster: layer '${l.layer}' time step ${t} has ${row.length} neurons, expected ${n} ([T, neurons])`);
      row.forEach((v, j) => {
        if (v !== 0 && v !== 1) throw new RangeError(`spikeRaster: layer '${l.layer}' spike [${t}][${j}] must be 0 or 1, got ${String(v)}`);
        if (v === 1) values.push({ t, t1: t + 1, neuron: j, neuron1: j + 1 });
      });
    });
    const T = rows.length;
    const rate = values.length / (T * n);
    return {
      name: `layer_${li}`,
      title: { text: layerLabel(l.layer), fontSize: 9, fontWeight: "normal", anchor: "start", offset: 2 },
      width: RASTER_PANEL_WIDTH,
      height: Math.max(16, 6 * T),
      view: { fill: "#f3f3f3", stroke: "#bbb" },
      layer: [
        {
          data: { values },
          mark: { type: "rect", color: "#111" },
          encoding: {
            description: { value: l.layer },
            x: { field: "neuron", type: "quantitative", title: null, scale: { domain: [0, n], nice: false }, axis: { values: [0, n], labelFontSize: 9, tickSize: 2, labelPadding: 1 } },
            x2: { field: "neuron1" },
            y: { field: "t", type: "quantitative", title: null, scale: { domain: [0, T], nice: false, reverse: true }, axis: null },
            y2: { field: "t1" },
          },
        },
        {
          data: { values: [{ text: `rate ${rate.toFixed(3)}` }] },
          mark: { type: "text", align: "center", baseline: "top", fontSize: 9, color: "#444", dy: 3 },
          encoding: { text: { field: "text" }, x: { value: RASTER_PANEL_WIDTH / 2 }, y: { value: Math.max(16, 6 * T) } },
        },
      ],
    };
  });
  const T = layers[0]!.spikes.length;
  const spec = {
    title: { text: figureTitle(opts.title ?? "Spikes of one decision", opts.task), subtitle: [`rows: time steps t = 0..${T - 1}, top down`, "columns: neurons; dark cell: spike"] },
    columns: opts.columns ?? 2,
    concat: panels,
    spacing: 10,
  } as unknown as TopLevelSpec;
  return renderSvg(spec);
}
