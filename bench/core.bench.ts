/**
 * Foundation benchmarks: Linear forward+backward GFLOP/s on wasm, and LIF forward+backward throughput.
 * Linear fwd+bwd = 3 matmuls of 2·N·I·O FLOPs (y = xW, dx = dy Wᵀ, dW = xᵀ dy).
 */
import { Rng, dispose, grad, grads, linear, sum, tensor, variable, type Tensor } from "../src/tensor/index.js";
import { LIF } from "../src/snn/index.js";
import { median, timeRuns, type Bench, type BenchResult } from "./types.js";

function randomTensor(rng: Rng, shape: number[]): Tensor {
  return tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
}

async function linearCase(rng: Rng, n: number, i: number, o: number, reps: number): Promise<BenchResult> {
  const x = randomTensor(rng, [n, i]);
  const w = variable(randomTensor(rng, [i, o]));
  // Back-propagate a given dy (no reduction op in the timed work): exactly y = xW, dx = dy Wᵀ, dW = xᵀ dy.
  const dy = randomTensor(rng, [n, o]);
  const gradFn = grads((xx: Tensor, ww: Tensor) => linear(xx, ww));
  const ms = await timeRuns(() => {
    const gs = gradFn([x, w], dy);
    gs[0]!.dataSync();
    gs[1]!.dataSync();
    dispose(gs);
  }, reps);
  const flops = 3 * 2 * n * i * o;
  const m = median(ms);
  x.dispose();
  w.dispose();
  dy.dispose();
  return {
    case: `linear fwd+bwd [${n},${i}]x[${i},${o}]`,
    value: flops / (m * 1e6),
    unit: "GFLOP/s",
    extra: { ms_median: m, ms_min: Math.min(...ms), ms_max: Math.max(...ms), target_gflops: 15 },
  };
}

async function lifCase(rng: Rng, shape: number[], reps: number): Promise<BenchResult[]> {
  const x = randomTensor(rng, shape); // [T, B, L, D]
  const xr = randomTensor(rng, shape.slice(1)); // [B, L, D]
  const lif = new LIF();
  const T = shape[0]!;
  const elements = shape.reduce((a, b) => a * b, 1);
  const g = grad((xx: Tensor) => sum(lif.forward(xx)));
  const gr = grad((xx: Tensor) => sum(lif.forwardRepeated(xx, T)));
  const ms = await timeRuns(() => g(x).dispose(), reps);
  const msr = await timeRuns(() => gr(xr).dispose(), reps);
  x.dispose();
  xr.dispose();
  const label = `[${shape.join(", ")}]`;
  return [
    { case: `lif fwd+bwd ${label}`, value: elements / (median(ms) / 1000), unit: "elements/s", extra: { ms_median: median(ms) } },
    {
      case: `lif fwd+bwd direct-encoded ${label}`,
      value: elements / (median(msr) / 1000),
      unit: "elements/s",
      extra: { ms_median: median(msr) },
    },
  ];
}

export const bench: Bench = {
  name: "core",
  async run({ quick }) {
    const rng = new Rng(0);
    const reps = quick ? 2 : 10;
    return [
      await linearCase(rng, 3840, 128, 512, reps),
      await linearCase(rng, 3200, 256, 1024, reps),
      await linearCase(rng, 5120, 512, 128, reps), // the STRL MLP's second Linear (4d -> d) on T x tokens rows
      ...(await lifCase(rng, [4, 32, 100, 1024], quick ? 1 : 5)),
    ];
  },
};
