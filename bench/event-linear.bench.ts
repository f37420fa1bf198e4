/**
 * Event-driven vs dense for a Linear layer whose input is spikes (issue 19 item 2): the native `eventLinear`
 * (adds the weight rows of the inputs that fired) against the engine's sgemm on the same float 0/1 input, both
 * without bias, at firing rates 1-40% and at the rates STRL's fc2 input (mlp.lif1) has in the trained small models
 * (0.11-0.16 on Hopper, Walker2d and HalfCheetah medium: reports/reproduce-locomotion), at the fc2 shapes of the
 * small and paper STRL batch-1 decisions (rows = T x context) and of a small training batch.
 *
 * Dense and event runs alternate sample by sample (each sample: enough calls for ~4 ms), so machine load hurts
 * both alike; medians. The load average before and after is kept with each result. Skipped when the addon is
 * not built. Prints a markdown table (rate -> dense ms, event ms, speedup) to stderr.
 */
import { loadavg } from "node:os";
import { loadAddon, type NativeAddon } from "../src/tensor/native/addon.js";
import { Rng } from "../src/tensor/rng.js";
import { median, type Bench, type BenchResult } from "./types.js";

interface Shape {
  name: string;
  /** rows = T x tokens (x [rows, Din] spikes), W [Din, Dout] */
  rows: number;
  Din: number;
  Dout: number;
  /** samples per rate (full run) */
  samples: number;
}

const SHAPES: Shape[] = [
  { name: "small decision fc2 (T 4 x K 20)", rows: 80, Din: 512, Dout: 128, samples: 61 },
  { name: "paper decision fc2 (T 4 x K 100)", rows: 400, Din: 1024, Dout: 256, samples: 31 },
  { name: "small training fc2 (T 4 x batch 64 x K 20)", rows: 5120, Din: 512, Dout: 128, samples: 15 },
];

/** Firing rates: the grid, the measured fc2 input rates of the small STRL models (0.11-0.16), and up to 1 to find the crossover. */
const RATES = [0, 0.01, 0.05, 0.1, 0.12, 0.15, 0.2, 0.3, 0.4, 0.6, 1];

/** Calls of `fn` per sample so that one sample takes about `ms`. */
function callsFor(fn: () => void, ms: number): number {
  fn();
  const t0 = performance.now();
  fn();
  return Math.max(1, Math.round(ms / Math.max(performance.now() - t0, 1e-3)));
}

function timeSample(fn: () => void, calls: number): number {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) fn();
  return (performance.now() - t0) / calls;
}

function measure(ad: NativeAddon, s: Shape, rate: number, rng: Rng, samples: number): BenchResult {
  const { rows, Din, Dout } = s;
  const x = new Float32Array(rows * Din); // [rows, Din] spikes
  let active = 0;
  for (let i = 0; i < x.length; i++) if (rng.float() < rate) (x[i] = 1), active++;
  const W = rng.fillUniform(new Float32Array(Din * Dout), -1, 1); // [Din, Dout]
  const none = new Float32Array(0);
  const yDense = new Float32Array(rows * Dout); // [rows, Dout]
  const yEvent = new Float32Array(rows * Dout);
  const dense = (): void => ad.gemm(1, rows, Dout, Din, false, false, x, 0, W, 0, yDense);
  let acc = 0;
  const event = (): void => {
    acc = ad.eventLinear(x, W, none, yEvent, rows, Din, Dout);
  };
  const load0 = loadavg()[0]!;
  const nDense = callsFor(dense, 4);
  const nEvent = callsFor(event, 4);
  const d: number[] = [];
  const e: number[] = [];
  for (let i = 0; i < samples; i++) {
    // alternate which goes first, so a load spike does not always land on the same one
    if (i % 2 === 0) {
      d.push(timeSample(dense, nDense));
      e.push(timeSample(event, nEvent));
    } else {
      e.push(timeSample(event, nEvent));
      d.push(timeSample(dense, nDense));
    }
  }
  const denseMs = median(d);
  const eventMs = median(e);
  return {
    case: `${s.name} [${rows},${Din}]x[${Din},${Dout}] rate ${rate}`,
    value: denseMs / eventMs,
    unit: "x (dense ms / event ms)",
    extra: {
      rows, Din, Dout, rate, measuredRate: active / x.length,
      denseMs, eventMs, denseMin: Math.min(...d), eventMin: Math.min(...e), samples, callsPerSample: { dense: nDense, event: nEvent },
      accumulates: acc, macs: rows * Din * Dout, threads: ad.threads(), gemmKernel: ad.gemmKernel(),
      load1: [load0, loadavg()[0]!],
    },
  };
}

export const bench: Bench = {
  name: "event-linear",
  async run({ quick }) {
    const { addon, why } = loadAddon();
    if (!addon) {
      process.stderr.write(`event-linear: skipped (${why})\n`);
      return [];
    }
    const rng = new Rng(19);
    const out: BenchResult[] = [];
    process.stderr.write(`load average before: ${loadavg().map((v) => v.toFixed(2)).join(" ")}, threads ${addon.threads()}\n`);
    for (const s of SHAPES) {
      const lines = [`\n${s.name}: [${s.rows}, ${s.Din}] x [${s.Din}, ${s.Dout}]`, "| rate | dense ms | event ms | speedup |", "|---|---|---|---|"];
      for (const rate of RATES) {
        const r = measure(addon, s, rate, rng, quick ? 3 : s.samples);
        const x = r.extra as { denseMs: number; eventMs: number };
        lines.push(`| ${rate} | ${x.denseMs.toFixed(3)} | ${x.eventMs.toFixed(3)} | ${r.value.toFixed(2)}x |`);
        out.push(r);
      }
      process.stderr.write(lines.join("\n") + "\n");
    }
    process.stderr.write(`load average after: ${loadavg().map((v) => v.toFixed(2)).join(" ")}\n`);
    return out;
  },
};
