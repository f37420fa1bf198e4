/**
 * Spike raster of one decision: for each of a few layers, a square per spike at (time step, neuron), layers
 * stacked top to bottom. Input spikes are [T][neurons] 0/1 (eval/spikes.ts `captureSpikes` gives them).
 */
import { label, nonEmpty } from "./check.js";
import { renderSvg, type TopLevelSpec } from "./render.js";

export interface RasterLayer {
  layer: string;
  /** [T][neurons] 0/1 */
  spikes: readonly (readonly number[])[];
}

/** SVG raster; a bare [T][neurons] matrix is one layer named "spikes". */
export async function spikeRaster(input: readonly RasterLayer[] | readonly (readonly number[])[], opts: { title?: string } = {}): Promise<string> {
  nonEmpty("spikeRaster: input", input as readonly unknown[]);
  const layers: RasterLayer[] = Array.isArray(input[0]) ? [{ layer: "spikes", spikes: input as readonly (readonly number[])[] }] : [...(input as readonly RasterLayer[])];
  const panels = layers.map((l, li) => {
    label(`spikeRaster: layers[${li}].layer`, l.layer);
    const rows = nonEmpty(`spikeRaster: spikes of layer '${l.layer}'`, l.spikes as readonly (readonly number[])[]);
    const n = rows[0]!.length;
    if (n === 0) throw new RangeError(`spikeRaster: layer '${l.layer}' has no neurons`);
    const values: Array<{ t: number; neuron: number }> = [];
    rows.forEach((row, t) => {
      if (row.length !== n) throw new RangeError(`spikeRaster: layer '${l.layer}' time step ${t} has ${row.length} neurons, expected ${n} ([T, neurons])`);
      row.forEach((v, j) => {
        if (v !== 0 && v !== 1) throw new RangeError(`spikeRaster: layer '${l.layer}' spike [${t}][${j}] must be 0 or 1, got ${String(v)}`);
        if (v === 1) values.push({ t, neuron: j });
      });
    });
    const T = rows.length;
    const rate = values.length / (T * n);
    return {
      title: { text: `${l.layer} (rate ${rate.toFixed(3)})`, fontSize: 12, anchor: "start" },
      width: Math.max(160, 40 * T),
      height: Math.max(40, Math.min(240, 4 * n)),
      data: { values },
      mark: { type: "square", size: Math.max(4, Math.min(36, Math.floor(800 / n))), color: "black", opacity: 1 },
      encoding: {
        x: { field: "t", type: "quantitative", title: "time step t", scale: { domain: [-0.5, T - 0.5], nice: false }, axis: { values: rows.map((_, t) => t), format: "d" } },
        y: { field: "neuron", type: "quantitative", title: "neuron", scale: { domain: [-0.5, n - 0.5], nice: false, reverse: true }, axis: { tickMinStep: 1, format: "d" } },
      },
    };
  });
  const spec = { title: opts.title ?? "Spikes of one decision", vconcat: panels } as unknown as TopLevelSpec;
  return renderSvg(spec);
}
