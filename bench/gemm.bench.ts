/**
 * Native sgemm GFLOP/s (2·batch·M·N·K FLOPs per call), median of several runs, with 2 threads and 1 thread, on
 * square sizes and the shapes the models use: Linear forward (x·W), its backward (dX = dY·Wᵀ is transB,
 * dW = Xᵀ·dY is transA with a long K), batched attention products and batch-1 inference. Skipped (no results,
 * a note on stderr) when the native addon is not built.
 */
import { loadAddon, type NativeAddon } from "../src/tensor/native/addon.js";
import { Rng } from "../src/tensor/rng.js";
import { median, type Bench, type BenchResult } from "./types.js";

interface Shape {
  name: string;
  batch: number;
  M: number;
  N: number;
  K: number;
  tA: boolean;
  tB: boolean;
  strideA?: number;
  strideB?: number;
}

const mm = (M: number, K: number, N: number, name = `[${M},${K}]x[${K},${N}]`): Shape => ({ name, batch: 1, M, N, K, tA: false, tB: false });

const SHAPES: Shape[] = [
  mm(256, 256, 256),
  mm(512, 512, 512),
  mm(1024, 1024, 1024),
  mm(1280, 128, 384),
  mm(1280, 128, 512),
  mm(5120, 512, 128),
  mm(3200, 256, 768),
  mm(3200, 256, 1024),
  mm(12800, 1024, 256),
  { name: "dX [12800,256]x[1024,256]T", batch: 1, M: 12800, N: 1024, K: 256, tA: false, tB: true },
  { name: "dX [3200,1024]x[256,1024]T", batch: 1, M: 3200, N: 256, K: 1024, tA: false, tB: true },
  { name: "dX [1280,384]x[128,384]T", batch: 1, M: 1280, N: 128, K: 384, tA: false, tB: true },
  { name: "dW [12800,1024]Tx[12800,256]", batch: 1, M: 1024, N: 256, K: 12800, tA: true, tB: false },
  { name: "dW [3200,256]Tx[3200,1024]", batch: 1, M: 256, N: 1024, K: 3200, tA: true, tB: false },
  { name: "dW [1280,128]Tx[1280,384]", batch: 1, M: 128, N: 384, K: 1280, tA: true, tB: false },
  { name: "attn QKT 256x[100,32]x[100,32]T", batch: 256, M: 100, N: 100, K: 32, tA: false, tB: true },
  { name: "attn PV 256x[100,100]x[100,32]", batch: 256, M: 100, N: 32, K: 100, tA: false, tB: false },
  { name: "attn 64x[20,128]x[128,20]", batch: 64, M: 20, N: 20, K: 128, tA: false, tB: false },
  mm(1, 128, 512, "infer [1,128]x[128,512]"),
  { name: "infer [1,512]x[128,512]T", batch: 1, M: 1, N: 128, K: 512, tA: false, tB: true },
];

function measure(ad: NativeAddon, s: Shape, rng: Rng, quick: boolean): { gflops: number; ms: number[]; gflopsPerCpuS: number } {
  const sA = s.strideA ?? s.M * s.K;
  const sB = s.strideB ?? s.K * s.N;
  const A = rng.fillUniform(new Float32Array((s.batch - 1) * sA + s.M * s.K), -1, 1);
  const B = rng.fillUniform(new Float32Array((s.batch - 1) * sB + s.K * s.N), -1, 1);
  const C = new Float32Array(s.batch * s.M * s.N);
  const call = (): void => ad.gemm(s.batch, s.M, s.N, s.K, s.tA, s.tB, A, sA, B, sB, C);
  const flops = 2 * s.batch * s.M * s.N * s.K;
  // Calls per timed run: enough for about 20 ms (tiny shapes), at least one.
  call();
  const t0 = performance.now();
  call();
  const once = Math.max(performance.now() - t0, 1e-4);
  const inner = Math.max(1, Math.min(100000, Math.round(20 / once)));
  const runs = quick ? 3 : 9;
  const ms: number[] = [];
  const cpu: number[] = []; // CPU milliseconds of the process (all threads) per call
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < inner; i++) call();
    ms.push((performance.now() - t) / inner);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000 / inner);
  }
  // GFLOP per CPU-second: per-core efficiency, less sensitive than wall time to other load on the machine
  // (idle pool threads spinning for work count against it).
  return { gflops: flops / (median(ms) * 1e6), ms, gflopsPerCpuS: flops / (median(cpu) * 1e6) };
}

export const bench: Bench = {
  name: "gemm",
  async run({ quick }) {
    const { addon, why } = loadAddon();
    if (!addon) {
      process.stderr.write(`  gemm: skipped, ${why}\n`);
      return [];
    }
    const threads0 = addon.threads();
    const rng = new Rng(0);
    const out: BenchResult[] = [];
    try {
      for (const s of SHAPES) {
        for (const threads of [2, 1]) {
          addon.setThreads(threads);
          const { gflops, ms, gflopsPerCpuS } = measure(addon, s, rng, quick);
          out.push({
            case: `gemm ${s.name} ${threads}T`,
            value: gflops,
            unit: "GFLOP/s",
            extra: {
              kernel: addon.gemmKernel(),
              threads,
              shape: { batch: s.batch, M: s.M, N: s.N, K: s.K, transA: s.tA, transB: s.tB },
              ms_median: median(ms),
              ms_min: Math.min(...ms),
              ms_max: Math.max(...ms),
              gflops_per_cpu_s: gflopsPerCpuS,
              target_gflops_2T: threads === 2 && Math.min(s.M, s.N, s.K) >= 256 ? 120 : undefined,
            },
          });
        }
      }
    } finally {
      addon.setThreads(threads0);
    }
    return out;
  },
};
