import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadAddon } from "../../src/tensor/native/addon.js";
import { Rng } from "../../src/tensor/rng.js";
import { lifBackwardJs, lifBackwardNative, lifForwardJs, lifForwardNative, type LifParams } from "../../src/snn/lif-kernel.js";
import { lifConfig, type LIFOptions } from "../../src/snn/lif.js";
import { makeSurrogate, SURROGATE_NAMES, type SurrogateSpec } from "../../src/snn/surrogate.js";
import { assertClose } from "../helpers.js";

const { addon, why } = loadAddon();
const skip = addon ? false : `native addon not available: ${why}`;

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
                const nat = lifForwardNative(addon!, x, T, n, p, opts);
                sameBits(nat.y, js.y, `${what} y`);
                sameBits(nat.saved.d, js.saved.d, `${what} d`);
                assert.equal(nat.spikeCount, js.spikeCount, `${what} spike count`);
                assert.ok(js.spikeCount > 0 && js.spikeCount < T * n, `${what}: some but not all neurons fire`);
                const dy = new Float32Array(mean ? n : T * n);
                rng.fillNormal(dy);
                const gJs = lifBackwardJs(dy, js.saved, p);
                const gNat = lifBackwardNative(addon!, dy, nat.saved, p);
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
      sameBits(lifBackwardNative(addon!, dy, s, p), lifBackwardJs(dy, s, p), `${surrogate.name} gx`);
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
          const f = lifForwardNative(addon!, x, T, n, p, { repeated, mean });
          return { f, g: lifBackwardNative(addon!, dy, f.saved, p) };
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
        () => lifForwardNative(addon!, x, TT, n, p, opts),
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
