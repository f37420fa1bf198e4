/**
 * Spike trains of one decision, for the raster figure. `captureSpikes(model, run)` subscribes to the spike
 * reports of every LIF registered in the model (found by walking its modules; or of given [name, LIF] pairs):
 * plain LIFs and the neurons that run inside the fused attention kernel alike (q, k, v and the score / output
 * neurons). It runs `run` (one forward pass of the model), and keeps, for each layer's first call,
 * the binary spikes [T, n] of the **last token row**: the neurons of the last token of the last window (the
 * decision token of a batch-1 window); for the score LIF, the score cells of that token's query. A layer that
 * ran but did not report where its neurons sit is an error, so a raster never silently drops a layer.
 * With `membrane`, it keeps those neurons' membrane potential too: H_t = d + v_th, the membrane after charging
 * and before the reset (the value compared with the threshold), read from the same report, so it costs only the
 * copy of the decision row's neurons.
 * Display only: not used for training or energy numbers.
 */
import { namedNeurons, type LIF, type SpikeDetail } from "../snn/index.js";
import { Module } from "../tensor/index.js";

export interface LayerSpikes {
  layer: string;
  /** [T][n] 0/1 spikes */
  spikes: number[][];
  /** [T][n] membrane H_t before the reset of the same neurons (only with `membrane`). */
  membrane?: number[][];
  /** The layer's threshold v_th (only with `membrane`). */
  vThreshold?: number;
}

/** The neurons (indexes into the report's n) of the last token row of one report, at most `maxNeurons`. */
function lastRowNeurons(detail: SpikeDetail, maxNeurons: number): number[] {
  const { n, rows } = detail;
  let idx: number[];
  if (detail.rowOf) {
    const rowOf = detail.rowOf();
    idx = [];
    for (let j = 0; j < n && idx.length < maxNeurons; j++) if (rowOf[j] === rows - 1) idx.push(j);
  } else {
    const per = n / rows;
    idx = Array.from({ length: Math.min(per, maxNeurons) }, (_, i) => n - per + i);
  }
  return idx;
}

/** One layer's spikes [T][idx] (and membrane H = d + v_th [T][idx], when `vThreshold` is given) from a report. */
function rowOfLayer(layer: string, detail: SpikeDetail, T: number, maxNeurons: number, vThreshold?: number): LayerSpikes {
  const { d, n } = detail;
  const idx = lastRowNeurons(detail, maxNeurons);
  const spikes: number[][] = [];
  for (let t = 0; t < T; t++) spikes.push(idx.map((j) => (d[t * n + j]! >= 0 ? 1 : 0)));
  if (vThreshold === undefined) return { layer, spikes };
  const membrane: number[][] = [];
  for (let t = 0; t < T; t++) membrane.push(idx.map((j) => d[t * n + j]! + vThreshold));
  return { layer, spikes, membrane, vThreshold };
}

export function captureSpikes(layers: Module | Iterable<[string, LIF]>, run: () => void, opts: { maxNeurons?: number; membrane?: boolean } = {}): LayerSpikes[] {
  const maxNeurons = opts.maxNeurons ?? 64;
  if (!Number.isInteger(maxNeurons) || maxNeurons < 1) throw new RangeError(`captureSpikes: maxNeurons must be an integer >= 1, got ${maxNeurons}`);
  const pairs = layers instanceof Module ? namedNeurons(layers) : [...layers];
  const captured = new Map<string, LayerSpikes>();
  const offs = pairs.map(([name, lif]) =>
    lif.addListener((_spikes, _steps, T, detail) => {
      if (captured.has(name)) return;
      if (!detail) throw new Error(`captureSpikes: layer '${name}' reported spikes without their layout`);
      captured.set(name, rowOfLayer(name, detail, T, maxNeurons, opts.membrane ? lif.config.vThreshold : undefined));
    }),
  );
  try {
    run();
  } finally {
    for (const off of offs) off();
  }
  return pairs.filter(([n]) => captured.has(n)).map(([n]) => captured.get(n)!);
}
