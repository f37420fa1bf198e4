/**
 * Spike trains of one decision, for the raster figure. `captureSpikes(layers, run)` temporarily wraps each LIF's
 * `forward` / `forwardRepeated` on the instance, runs `run` (one forward pass of the model), and keeps, for each
 * layer's first call, the binary spikes [T, n] of the **last row** of its output: the last `n` values of the inner
 * shape, i.e. the features of the last token of the last window for a [B, K, D] input (the decision token of a
 * batch-1 window). The wrapper asks the LIF for the full [T, ...] spikes and, when the caller wanted the mean
 * over T, takes it with `mean` (for T a power of two the same values as the fused kernel). The LIFs are
 * restored afterwards, also on error. Display only: not used for training or energy numbers.
 */
import type { LIF } from "../snn/index.js";
import { mean, type Tensor } from "../tensor/index.js";

export interface LayerSpikes {
  layer: string;
  /** [T][n] 0/1 spikes */
  spikes: number[][];
}

export function captureSpikes(layers: Iterable<[string, LIF]>, run: () => void, opts: { maxNeurons?: number } = {}): LayerSpikes[] {
  const maxNeurons = opts.maxNeurons ?? 64;
  if (!Number.isInteger(maxNeurons) || maxNeurons < 1) throw new RangeError(`captureSpikes: maxNeurons must be an integer >= 1, got ${maxNeurons}`);
  const pairs = [...layers];
  const captured = new Map<string, number[][]>();
  const record = (name: string, s: Tensor): void => {
    if (captured.has(name)) return;
    const T = s.shape[0]!;
    const last = s.shape.length > 1 ? s.shape[s.shape.length - 1]! : 1;
    const values = s.dataSync(); // [T, ...inner]
    const per = values.length / T;
    const n = Math.min(last, maxNeurons);
    const rows: number[][] = [];
    for (let t = 0; t < T; t++) rows.push(Array.from(values.subarray(t * per + per - last, t * per + per - last + n)));
    captured.set(name, rows);
  };
  for (const [name, lif] of pairs) {
    const forward = lif.forward.bind(lif);
    const forwardRepeated = lif.forwardRepeated.bind(lif);
    const own = lif as unknown as Record<string, unknown>;
    own.forward = (x: Tensor, o: { mean?: boolean } = {}): Tensor => {
      const s = forward(x); // [T, ...]
      record(name, s);
      return o.mean ? mean(s, 0) : s;
    };
    own.forwardRepeated = (x: Tensor, T: number, o: { mean?: boolean } = {}): Tensor => {
      const s = forwardRepeated(x, T); // [T, ...]
      record(name, s);
      return o.mean ? mean(s, 0) : s;
    };
  }
  try {
    run();
  } finally {
    for (const [, lif] of pairs) {
      const own = lif as unknown as Record<string, unknown>;
      delete own.forward;
      delete own.forwardRepeated;
    }
  }
  return pairs.filter(([n]) => captured.has(n)).map(([n]) => ({ layer: n, spikes: captured.get(n)! }));
}
