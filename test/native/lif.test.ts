import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadAddon } from "../../src/tensor/native/addon.js";
import { nativeEngineOf } from "../../src/tensor/native/engine.js";
import { Rng } from "../../src/tensor/rng.js";
import { lifBackwardJs, lifBackwardNative, lifForwardJs, lifForwardNative, type LifParams } from "../../src/snn/lif-kernel.js";
import { lifConfig, type LIFOptions } from "../../src/snn/lif.js";
import { makeSurrogate, SURROGATE_NAMES, type SurrogateSpec } from "../../src/snn/surrogate.js";
import { assertClose } from "../helpers.js";

const { addon, why } = loadAddon();
const skip = addon ? false : `native addon not available: ${why}`;
const engine = addon ? nativeEngineOf(addon) : undefined;

/** The LIF kernels' test hooks (native/src/lif_kernels.cc), not part of the typed interface. */
type LifHooks = { lifSimd(name?: string): string; lifExp(z: Float64Array, out: Float64Array): void };
const hooks = addon as unknown as LifHooks | undefined;

/** The instruction sets this CPU runs the LIF kernels with ("portable" always). */
function isas(): string[] {
  const before = hooks!.lifSimd();
  const out: string[] = [];
  try {
    for (const name of ["portable", "avx2", "avx512"]) {
      try {
        hooks!.lifSimd(name);
        out.push(name);
      } catch (e) {
        assert.ok(e instanceof RangeError);
      }
    }
  } finally {
    hooks!.lifSimd(before);
  }
  return out;
}

function params(opts: LIFOptions): LifParams {
  const cfg = lifConfig(opts);
  return { ...cfg, surrogateGrad: makeSurrogate(cfg.surrogate).grad };
}

/** Inputs around the threshold, a quarter of them on a 1/4 grid so that H lands exactly on v_th (Θ(0) = 1). */
function inputs(rng: Rng, len: number): Float32Array {
  const x = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    const v = rng.normal(0.9, 1.3);
    x[i] = rng.float() < 0.25 ? Math.round(v * 4) / 4 : v;
  }
  return x;
}

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) assert.fail(`${what}[${i}]: ${a[i]} != ${b[i]}`);
}

const SURROGATES: SurrogateSpec[] = [
  ...SURROGATE_NAMES.map((name) => ({ name })),
  { name: "sigmoid", alpha: 2.5 },
  { name: "piecewise-quadratic", alpha: 0.7 },
  { name: "rectangular", width: 0.6 },
];

describe("native LIF kernel vs the JS kernel", { skip }, () => {
  it("every option combination: identical spikes, d and spike counts; gradients within 1e-6", () => {
    const rng = new Rng(7);
    const T = 5;
    const n = 600;
    let combos = 0;
    for (const vReset of [0, -0.3, null])
      for (const decayInput of [true, false])
        for (const detachReset of [true, false])
          for (const repeated of [false, true])
            for (const mean of [false, true])
              for (const surrogate of SURROGATES) {
                const p = params({ tau: 2 + rng.float(), vThreshold: 1, vReset, decayInput, detachReset, surrogate });
                const x = inputs(rng, repeated ? n : T * n);
                const opts = { repeated, mean };
                const what = JSON.stringify({ vReset, decayInput, detachReset, repeated, mean, surrogate });
                const js = lifForwardJs(x, T, n, p, opts);
                const nat = lifForwardNative(engine!, x, T, n, p, opts);
                sameBits(nat.y, js.y, `${what} y`);
                sameBits(nat.saved.d, js.saved.d, `${what} d`);
                assert.equal(nat.spikeCount, js.spikeCount, `${what} spike count`);
                assert.ok(js.spikeCount > 0 && js.spikeCount < T * n, `${what}: some but not all neurons fire`);
                const dy = new Float32Array(mean ? n : T * n);
                rng.fillNormal(dy);
                const gJs = lifBackwardJs(dy, js.saved, p);
                const gNat = lifBackwardNative(engine!, dy, nat.saved, p);
                assertClose(gNat, gJs, 1e-6, `${what} gx`);
                combos++;
              }
    assert.equal(combos, 3 * 2 * 2 * 2 * 2 * SURROGATES.length);
  });

  it("the surrogates other than sigmoid give bit-identical gradients (no transcendental function)", () => {
    const rng = new Rng(11);
    const T = 4;
    const n = 1000;
    for (const surrogate of SURROGATES.filter((s) => s.name !== "sigmoid")) {
      const p = params({ vReset: null, detachReset: false, surrogate });
      const x = inputs(rng, T * n);
      const s = lifForwardJs(x, T, n, p, { repeated: false, mean: false }).saved;
      const dy = rng.fillNormal(new Float32Array(T * n));
      sameBits(lifBackwardNative(engine!, dy, s, p), lifBackwardJs(dy, s, p), `${surrogate.name} gx`);
    }
  });

  it("results are bit-identical for 1 and 2 threads (several chunks of the neuron axis)", () => {
    const rng = new Rng(3);
    const T = 4;
    const n = 3 * 16384 + 123;
    const before = addon!.threads();
    try {
      for (const [repeated, mean] of [[false, false], [true, true]] as const) {
        const p = params({ surrogate: { name: "sigmoid", alpha: 4 }, detachReset: false });
        const x = inputs(rng, repeated ? n : T * n);
        const dy = rng.fillNormal(new Float32Array(mean ? n : T * n));
        const run = (threads: number) => {
          addon!.setThreads(threads);
          const f = lifForwardNative(engine!, x, T, n, p, { repeated, mean });
          return { f, g: lifBackwardNative(engine!, dy, f.saved, p) };
        };
        const a = run(1);
        const b = run(2);
        sameBits(a.f.y, b.f.y, "y");
        sameBits(a.f.saved.d, b.f.saved.d, "d");
        assert.equal(a.f.spikeCount, b.f.spikeCount);
        sameBits(a.g, b.g, "gx");
        const js = lifForwardJs(x, T, n, p, { repeated, mean });
        sameBits(a.f.y, js.y, "y vs JS");
        assert.equal(a.f.spikeCount, js.spikeCount);
        assertClose(a.g, lifBackwardJs(dy, js.saved, p), 1e-6, "gx vs JS");
      }
    } finally {
      addon!.setThreads(before);
    }
  });

  it("every instruction set (portable, AVX2, AVX-512 where the CPU has them) gives the same bits", () => {
    const rng = new Rng(5);
    const T = 3;
    const n = 777; // not a multiple of any vector width
    const before = hooks!.lifSimd();
    const sets = isas();
    assert.ok(sets.includes("portable") && sets.includes(before));
    try {
      for (const vReset of [0, null])
        for (const [repeated, mean] of [[false, false], [true, true], [true, false]] as const)
          for (const surrogate of SURROGATES) {
            const p = params({ tau: 2.5, vThreshold: 1, vReset, decayInput: !repeated, detachReset: mean, surrogate });
            const x = inputs(rng, repeated ? n : T * n);
            const dy = rng.fillNormal(new Float32Array(mean ? n : T * n));
            const runs = sets.map((isa) => {
              hooks!.lifSimd(isa);
              const f = lifForwardNative(engine!, x, T, n, p, { repeated, mean });
              return { f, g: lifBackwardNative(engine!, dy, f.saved, p) };
            });
            const what = `${JSON.stringify({ vReset, repeated, mean, surrogate })}`;
            for (let k = 1; k < runs.length; k++) {
              sameBits(runs[k]!.f.y, runs[0]!.f.y, `${sets[k]} ${what} y`);
              sameBits(runs[k]!.f.saved.d, runs[0]!.f.saved.d, `${sets[k]} ${what} d`);
              assert.equal(runs[k]!.f.spikeCount, runs[0]!.f.spikeCount);
              sameBits(runs[k]!.g, runs[0]!.g, `${sets[k]} ${what} gx`);
            }
          }
    } finally {
      hooks!.lifSimd(before);
    }
    assert.throws(() => hooks!.lifSimd("sse9"), RangeError);
  });

  it("the sigmoid surrogate's exp is within 1 ulp of Math.exp from -760 to 0, on every instruction set", () => {
    const rng = new Rng(9);
    const z: number[] = [-0, 0, -Infinity, NaN, -1e-300, -5e-324, -708.4, -709.8, -745.1332191019411, -745.14, -746, -760, -1e9];
    for (let i = 0; i < 20000; i++) z.push(-(rng.float() ** 3) * 760, -rng.float() * 1e-3, -Math.round(rng.float() * 4000) * (Math.LN2 / 2));
    const zs = new Float64Array(z);
    const want = zs.map(Math.exp);
    const out = new Float64Array(zs.length);
    const before = hooks!.lifSimd();
    try {
      for (const isa of isas()) {
        hooks!.lifSimd(isa);
        out.fill(42);
        hooks!.lifExp(zs, out);
        const got = new BigInt64Array(out.buffer);
        const exp = new BigInt64Array(want.buffer);
        for (let i = 0; i < zs.length; i++) {
          if (Number.isNaN(want[i]!)) {
            assert.ok(Number.isNaN(out[i]!), `${isa}: exp(${zs[i]}) = ${out[i]}, expected NaN`);
            continue;
          }
          const ulps = got[i]! - exp[i]!;
          assert.ok(ulps >= -1n && ulps <= 1n, `${isa}: exp(${zs[i]}) = ${out[i]}, Math.exp gives ${want[i]}`);
        }
        assert.ok(Object.is(out[0], 1) && Object.is(out[2], 0) && out[11] === 0, `${isa}: exp(-0), exp(-inf), exp(-760)`);
      }
    } finally {
      hooks!.lifSimd(before);
    }
    assert.throws(() => hooks!.lifExp(new Float64Array([1]), new Float64Array(1)), RangeError);
  });

  it("a non-finite input is the JS kernel's RangeError, with the same message", () => {
    const T = 3;
    const p = params({ decayInput: false, vReset: null });
    const cases: [Float32Array, number, boolean, number][] = [];
    for (const n of [7, 40000]) {
      const x = new Float32Array(T * n).fill(0.5);
      x[n + 5] = NaN;
      x[2 * n + 1] = Infinity; // a later step: the first bad step is reported
      cases.push([x, n, false, T]);
      const r = new Float32Array(n).fill(0.5);
      r[n - 1] = -Infinity;
      cases.push([r, n, true, T]);
    }
    // finite in double but overflowing float32 -> "membrane overflow" at the next step
    cases.push([new Float32Array([3e38, 3e38, 3e38, 3e38]), 1, false, 4]);
    for (const [x, n, repeated, TT] of cases) {
      const opts = { repeated, mean: false, name: "q" };
      let jsErr: unknown;
      assert.throws(() => lifForwardJs(x, TT, n, p, opts), (e) => ((jsErr = e), e instanceof RangeError));
      if (n === 1) assert.match((jsErr as Error).message, /membrane overflow/);
      assert.throws(
        () => lifForwardNative(engine!, x, TT, n, p, opts),
        (e) => e instanceof RangeError && e.message === (jsErr as Error).message,
      );
    }
  });

  it("bad arguments are RangeErrors, not crashes", () => {
    const x = new Float32Array(10);
    const y = new Float32Array(10);
    const d = new Float32Array(10);
    assert.throws(() => addon!.lifForward(x, 2, 6, false, false, 2, 1, 0, true, y, d), RangeError);
    assert.throws(() => addon!.lifForward(x, 0, 5, false, false, 2, 1, 0, true, y, d), RangeError);
    assert.throws(() => addon!.lifForward(x, 2, 5, false, false, 0.5, 1, 0, true, y, d), RangeError);
    assert.throws(() => addon!.lifForward(new Float64Array(10) as unknown as Float32Array, 2, 5, false, false, 2, 1, 0, true, y, d), RangeError);
    assert.throws(() => addon!.lifBackward(y, d, 2, 5, false, false, 2, 1, 0, true, true, "tanh", 1, x), RangeError);
    assert.throws(() => addon!.lifBackward(y, d, 2, 5, false, false, 2, 1, 0, true, true, "sigmoid", -1, x), RangeError);
    assert.throws(() => addon!.lifBackward(y, d, 2, 5, true, false, 2, 1, 0, true, true, "sigmoid", 4, x), RangeError);
    assert.throws(() => (addon!.lifForward as unknown as (...a: unknown[]) => number)(x, 2), RangeError);
    // n = 0 is fine
    assert.equal(addon!.lifForward(new Float32Array(0), 3, 0, false, false, 2, 1, null, true, new Float32Array(0), new Float32Array(0)), 0);
  });
});
