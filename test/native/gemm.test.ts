import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadAddon, type NativeAddon } from "../../src/tensor/native/addon.js";
import { Rng } from "../../src/tensor/rng.js";

const { addon, why } = loadAddon();
const skip = addon ? false : `native addon not available: ${why}`;

interface Case {
  batch: number;
  M: number;
  N: number;
  K: number;
  tA: boolean;
  tB: boolean;
  strideA?: number; // default M*K (0 broadcasts)
  strideB?: number; // default K*N
}

function random(rng: Rng, n: number): Float32Array {
  return rng.fillUniform(new Float32Array(n), -1, 1);
}

/** float64 reference and, per element, sum_k |a||b| (the scale of its rounding error). */
function reference(c: Case, A: Float32Array, sA: number, B: Float32Array, sB: number): { C: Float64Array; scale: Float64Array } {
  const { batch, M, N, K, tA, tB } = c;
  const C = new Float64Array(batch * M * N);
  const scale = new Float64Array(batch * M * N);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        let abs = 0;
        for (let k = 0; k < K; k++) {
          const a = tA ? A[b * sA + k * M + i]! : A[b * sA + i * K + k]!;
          const v = tB ? B[b * sB + j * K + k]! : B[b * sB + k * N + j]!;
          s += a * v;
          abs += Math.abs(a * v);
        }
        C[(b * M + i) * N + j] = s;
        scale[(b * M + i) * N + j] = abs;
      }
    }
  }
  return { C, scale };
}

function run(ad: NativeAddon, rng: Rng, c: Case): { C: Float32Array; A: Float32Array; B: Float32Array; sA: number; sB: number } {
  const sA = c.strideA ?? c.M * c.K;
  const sB = c.strideB ?? c.K * c.N;
  const A = random(rng, Math.max(0, (c.batch - 1) * sA + c.M * c.K));
  const B = random(rng, Math.max(0, (c.batch - 1) * sB + c.K * c.N));
  const C = new Float32Array(c.batch * c.M * c.N).fill(Number.NaN); // must be overwritten
  ad.gemm(c.batch, c.M, c.N, c.K, c.tA, c.tB, A, sA, B, sB, C);
  return { C, A, B, sA, sB };
}

function check(ad: NativeAddon, rng: Rng, c: Case): void {
  const { C, A, B, sA, sB } = run(ad, rng, c);
  const ref = reference(c, A, sA, B, sB);
  const label = `batch ${c.batch} M ${c.M} N ${c.N} K ${c.K} transA ${c.tA} transB ${c.tB} strides ${sA},${sB}`;
  for (let i = 0; i < C.length; i++) {
    const err = Math.abs(C[i]! - ref.C[i]!);
    if (!(err <= 1e-5 * ref.scale[i]! + 1e-30)) {
      assert.fail(`${label}: C[${i}] = ${C[i]} but reference ${ref.C[i]} (error ${err}, scale ${ref.scale[i]})`);
    }
  }
}

const TRANS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

describe("native gemm", { skip }, () => {
  const ad = addon!;
  const threads0 = addon ? ad.threads() : 1;
  after(() => {
    if (addon) ad.setThreads(threads0);
  });

  it("names its micro-kernel", () => {
    assert.ok(["avx512", "avx2", "generic"].includes(ad.gemmKernel()), ad.gemmKernel());
  });

  it("matches a float64 reference on odd shapes, for all four transpose combinations", () => {
    const rng = new Rng(1);
    const dims = [1, 2, 3, 7, 17, 31, 33, 65, 100, 129];
    for (const [tA, tB] of TRANS) {
      for (let t = 0; t < 14; t++) {
        const M = dims[rng.int(dims.length)]!;
        const N = dims[rng.int(dims.length)]!;
        const K = dims[rng.int(dims.length)]!;
        check(ad, rng, { batch: 1, M, N, K, tA, tB });
      }
    }
  });

  it("matches the reference across tile and K-block edges (257, 300, 513, 1100 and more)", () => {
    const rng = new Rng(2);
    const shapes: [number, number, number][] = [
      [257, 33, 300], // two K blocks of uneven length
      [13, 513, 65], // two column blocks, a partial panel
      [49, 100, 257], // just above the direct (unpacked B) row limit
      [48, 47, 513], // at the direct limit, three K blocks
      [200, 129, 129], // several row tiles sharing one packed B
      [1, 1000, 600], // one row, long K and N
      [70, 65, 512], // rows of A 2 KiB apart: copied before use
      [30, 50, 1024],
      [13, 700, 1100], // three K blocks, two column blocks
      [600, 3, 4000], // transposed A packed in two groups of K blocks
    ];
    for (const [M, N, K] of shapes) for (const [tA, tB] of TRANS) check(ad, rng, { batch: 1, M, N, K, tA, tB });
  });

  it("matches the reference on the few-row paths (row-vector and dot-product kernels)", () => {
    const rng = new Rng(6);
    for (const M of [1, 2, 3, 4, 5, 13, 14]) {
      for (const [N, K] of [
        [1, 1],
        [7, 15],
        [130, 16],
        [257, 33],
        [515, 129],
        [1000, 600],
      ] as const) {
        for (const [tA, tB] of TRANS) check(ad, rng, { batch: 1, M, N, K, tA, tB });
      }
    }
    for (const [tA, tB] of TRANS) check(ad, rng, { batch: 6, M: 1, N: 100, K: 37, tA, tB, strideA: 40 });
  });

  it("handles batches, including broadcast A or B (stride 0) and padded strides", () => {
    const rng = new Rng(3);
    for (const [tA, tB] of TRANS) {
      check(ad, rng, { batch: 5, M: 17, N: 31, K: 33, tA, tB });
      check(ad, rng, { batch: 3, M: 65, N: 100, K: 7, tA, tB, strideA: 0 });
      check(ad, rng, { batch: 3, M: 100, N: 65, K: 129, tA, tB, strideB: 0 });
      check(ad, rng, { batch: 9, M: 20, N: 20, K: 128, tA, tB, strideA: 20 * 128 + 5, strideB: 0 });
      check(ad, rng, { batch: 2, M: 300, N: 70, K: 40, tA, tB, strideB: 0 }); // few large items: tiled path
    }
  });

  it("handles empty dimensions: nothing to do for M, N or batch 0, zeros for K = 0", () => {
    const rng = new Rng(4);
    for (const [tA, tB] of TRANS) {
      for (const c of [
        { batch: 2, M: 0, N: 5, K: 3 },
        { batch: 2, M: 5, N: 0, K: 3 },
        { batch: 0, M: 5, N: 5, K: 3 },
        { batch: 2, M: 3, N: 4, K: 0 },
      ]) {
        const { C } = run(ad, rng, { ...c, tA, tB });
        assert.equal(C.length, c.batch * c.M * c.N);
        for (const v of C) assert.equal(v, 0);
      }
    }
    // Empty arrays are enough when nothing is read.
    const C = new Float32Array(6).fill(7);
    ad.gemm(1, 2, 3, 0, false, false, new Float32Array(0), 0, new Float32Array(0), 0, C);
    assert.deepEqual([...C], [0, 0, 0, 0, 0, 0]);
  });

  it("gives bit-identical results with 1 and 2 threads", () => {
    const rng = new Rng(5);
    const cases: Case[] = [
      { batch: 1, M: 1280, N: 384, K: 128, tA: false, tB: false },
      { batch: 1, M: 1024, N: 256, K: 1600, tA: true, tB: false },
      { batch: 1, M: 700, N: 1030, K: 300, tA: false, tB: true },
      { batch: 1, M: 40, N: 2048, K: 512, tA: false, tB: false },
      { batch: 64, M: 100, N: 100, K: 32, tA: false, tB: true },
      { batch: 3, M: 257, N: 129, K: 513, tA: true, tB: true, strideB: 0 },
      { batch: 1, M: 2, N: 3000, K: 700, tA: false, tB: true },
      { batch: 1, M: 1, N: 3000, K: 700, tA: false, tB: false },
    ];
    for (const c of cases) {
      const sA = c.strideA ?? c.M * c.K;
      const sB = c.strideB ?? c.K * c.N;
      const A = random(rng, (c.batch - 1) * sA + c.M * c.K);
      const B = random(rng, (c.batch - 1) * sB + c.K * c.N);
      const out: Float32Array[] = [];
      for (const n of [1, 2, 1, 2]) {
        ad.setThreads(n);
        const C = new Float32Array(c.batch * c.M * c.N);
        ad.gemm(c.batch, c.M, c.N, c.K, c.tA, c.tB, A, sA, B, sB, C);
        out.push(C);
      }
      for (let r = 1; r < out.length; r++) {
        assert.ok(
          Buffer.from(out[0]!.buffer).equals(Buffer.from(out[r]!.buffer)),
          `M ${c.M} N ${c.N} K ${c.K} batch ${c.batch}: run ${r} differs from run 0`,
        );
      }
    }
    ad.setThreads(threads0);
  });

  it("rejects bad arguments with a RangeError naming the problem", () => {
    const f = (n: number) => new Float32Array(n);
    const ok = (): void => ad.gemm(1, 2, 3, 4, false, false, f(8), 0, f(12), 0, f(6));
    ok();
    const bad = (args: unknown[], re: RegExp): void => {
      assert.throws(() => (ad.gemm as (...a: unknown[]) => void)(...args), (e: unknown) => e instanceof RangeError && re.test(e.message));
    };
    bad([1, -2, 3, 4, false, false, f(8), 0, f(12), 0, f(6)], /M must be a non-negative integer/);
    bad([1, 2, 3.5, 4, false, false, f(8), 0, f(12), 0, f(6)], /N must be a non-negative integer/);
    bad([Number.NaN, 2, 3, 4, false, false, f(8), 0, f(12), 0, f(6)], /batch must be a non-negative integer/);
    bad([1, 2, 3, "4", false, false, f(8), 0, f(12), 0, f(6)], /K must be a number/);
    bad([1, 2, 3, 4, false, false, f(8), -1, f(12), 0, f(6)], /strideA must be a non-negative integer/);
    bad([1, 2, 3, 4, false, false, f(7), 0, f(12), 0, f(6)], /A has 7 elements, needs 8/);
    bad([1, 2, 3, 4, false, false, f(8), 0, f(11), 0, f(6)], /B has 11 elements, needs 12/);
    bad([1, 2, 3, 4, false, false, f(8), 0, f(12), 0, f(5)], /C has 5 elements, needs 6/);
    bad([2, 2, 3, 4, false, false, f(16), 8, f(12), 1, f(12)], /B has 12 elements, needs 13/);
    bad([1, 2, 3, 4, false, false, new Float64Array(8), 0, f(12), 0, f(6)], /A must be a Float32Array/);
    bad([1, 2, 3, 4, 0, false, f(8), 0, f(12), 0, f(6)], /transA must be a boolean/);
    bad([1, 2, 3, 4, false, false, f(8), 0, f(12)], /expected 11 arguments/);
    bad([1, 2 ** 40, 2 ** 40, 2 ** 40, false, false, f(8), 0, f(12), 0, f(6)], /overflow|elements/);
    const buf = f(30);
    bad([1, 2, 3, 4, false, false, buf.subarray(0, 8), 0, f(12), 0, buf.subarray(4, 10)], /C must not share memory with A/);
  });

  it("gives correct results with the AVX2 and portable micro-kernels too (STRL_GEMM_KERNEL)", () => {
    const addonUrl = new URL("../../src/tensor/native/addon.js", import.meta.url).href;
    // A child process (the kernel is chosen once per process) checks a few shapes against a float64 reference.
    const script = `
      const { loadAddon } = await import(${JSON.stringify(addonUrl)});
      const a = loadAddon().addon;
      let s = 12345, worst = 0;
      const rnd = (n) => Float32Array.from({ length: n }, () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 2 ** 31 - 1; });
      for (const [batch, M, N, K] of [[1, 1, 33, 17], [1, 13, 17, 300], [1, 50, 70, 65], [2, 100, 129, 40], [9, 7, 5, 3], [1, 200, 100, 260]])
        for (const tA of [false, true]) for (const tB of [false, true]) {
          const A = rnd(batch * M * K), B = rnd(batch * K * N), C = new Float32Array(batch * M * N);
          a.gemm(batch, M, N, K, tA, tB, A, M * K, B, K * N, C);
          for (let b = 0; b < batch; b++) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
            let r = 0, sc = 0;
            for (let k = 0; k < K; k++) {
              const p = (tA ? A[b * M * K + k * M + i] : A[b * M * K + i * K + k]) * (tB ? B[b * K * N + j * K + k] : B[b * K * N + k * N + j]);
              r += p; sc += Math.abs(p);
            }
            worst = Math.max(worst, Math.abs(C[(b * M + i) * N + j] - r) / (sc + 1e-30));
          }
        }
      console.log(JSON.stringify({ kernel: a.gemmKernel(), worst }));
    `;
    for (const want of ["avx2", "generic"]) {
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        env: { ...process.env, STRL_GEMM_KERNEL: want },
        encoding: "utf8",
        cwd: fileURLToPath(new URL(".", import.meta.url)),
      });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { kernel: string; worst: number };
      // A CPU without AVX2 falls back to the portable kernel.
      assert.ok(out.kernel === want || out.kernel === "generic", `asked ${want}, got ${out.kernel}`);
      assert.ok(out.worst <= 1e-5, `${out.kernel}: worst relative error ${out.worst}`);
    }
  });
});
