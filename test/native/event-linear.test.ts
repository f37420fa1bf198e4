import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { layerEnergy, linearMacs } from "../../src/energy/index.js";
import { loadAddon, type NativeAddon } from "../../src/tensor/native/addon.js";
import { nativeEngineOf } from "../../src/tensor/native/engine.js";
import { Rng } from "../../src/tensor/rng.js";
import { spikes } from "../helpers.js";

const { addon, why } = loadAddon();
const skip = addon ? false : `native addon not available: ${why}`;

describe("eventLinear (native event-driven Linear for spikes)", { skip }, () => {
  const ad = addon as NativeAddon;
  const e = addon ? nativeEngineOf(ad) : undefined!;
  const threads0 = addon ? ad.threads() : 1;
  after(() => {
    if (addon) ad.setThreads(threads0);
  });

  it("adds the weight rows of the inputs that fired, and its accumulates are the SOPs the energy model charges", () => {
    // fc2 of one token over T = 2 steps: x [T, N = 1, Din = 4], W [4, 3], b [3].
    const x = new Float32Array([1, 0, 1, 1, /* t = 1 */ 0, 0, 1, 0]);
    const W = new Float32Array([1, 2, 3, /* */ 10, 20, 30, /* */ 100, 200, 300, /* */ 1000, 2000, 3000]);
    const b = new Float32Array([0.5, -0.5, 0.25]);
    const y = new Float32Array(6).fill(Number.NaN);
    const acc = e.eventLinear({ x, W, b, y, rows: 2, Din: 4, Dout: 3 });
    // t = 0: rows 0, 2, 3 of W; t = 1: row 2.
    assert.deepEqual(Array.from(y), [1101.5, 2201.5, 3303.25, 100.5, 199.5, 300.25]);
    // 4 active inputs x Dout 3 = 12 accumulates. The energy model: T x rate x MACs = 2 x (4 / 8) x (1 x 4 x 3) = 12.
    assert.equal(acc, 12);
    const sops = layerEnergy({ layer: "blocks.0.mlp.fc2", input: "spike", macs: linearMacs(1, 4, 3), T: 2, rate: 4 / 8 }).sops;
    assert.equal(sops, 12);
    assert.equal(acc, sops);
  });

  it("equals the dense sgemm to float rounding at rates 0 to 1 on odd shapes, bias or none", () => {
    const rng = new Rng(19);
    const shapes = [
      [1, 1, 1], [7, 9, 5], [37, 70, 67], [13, 33, 130], [80, 512, 128], [3, 17, 200],
    ] as const;
    for (const [rows, Din, Dout] of shapes) {
      for (const rate of [0, 0.01, 0.15, 0.5, 1]) {
        for (const withBias of [false, true]) {
          const x = spikes(rng, rows * Din, rate);
          const W = rng.fillUniform(new Float32Array(Din * Dout), -1, 1);
          const b = withBias ? rng.fillUniform(new Float32Array(Dout), -1, 1) : undefined;
          const y = new Float32Array(rows * Dout).fill(Number.NaN);
          const acc = e.eventLinear({ x, W, b, y, rows, Din, Dout });
          let active = 0;
          for (const v of x) active += v;
          assert.equal(acc, active * Dout, `accumulates ${rows}x${Din}->${Dout} at rate ${rate}`);
          const dense = new Float32Array(rows * Dout);
          e.gemm({ batch: 1, M: rows, N: Dout, K: Din, transA: false, transB: false, A: x, strideA: 0, B: W, strideB: 0, C: dense });
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < Dout; j++) {
              let abs = 0; // the scale of the rounding error: Σ |x w|
              for (let i = 0; i < Din; i++) abs += x[r * Din + i]! * Math.abs(W[i * Dout + j]!);
              const want = dense[r * Dout + j]! + (b ? b[j]! : 0);
              const got = y[r * Dout + j]!;
              const tol = 2 * Din * 2 ** -24 * (abs + (b ? Math.abs(b[j]!) : 0));
              assert.ok(Math.abs(got - want) <= tol, `${rows}x${Din}->${Dout} rate ${rate} [${r}, ${j}]: ${got} vs ${want}`);
              if (active === 0) assert.equal(got, b ? b[j]! : 0); // no spike: the bias alone, exactly
            }
          }
        }
      }
    }
  });

  it("gives the same bits on 1 and 2 threads", () => {
    const rng = new Rng(7);
    const [rows, Din, Dout] = [400, 300, 136];
    const x = spikes(rng, rows * Din, 0.15);
    const W = rng.fillUniform(new Float32Array(Din * Dout), -1, 1);
    const b = rng.fillUniform(new Float32Array(Dout), -1, 1);
    const out = [1, 2].map((n) => {
      ad.setThreads(n);
      const y = new Float32Array(rows * Dout);
      const acc = e.eventLinear({ x, W, b, y, rows, Din, Dout });
      return { y, acc };
    });
    ad.setThreads(threads0);
    assert.equal(out[0]!.acc, out[1]!.acc);
    assert.deepEqual(new Uint32Array(out[0]!.y.buffer), new Uint32Array(out[1]!.y.buffer));
  });

  it("gives the same bits and counts with the portable and the AVX2 copy", () => {
    const hooks = ad as unknown as { eventLinearSimd(name?: string): string };
    const before = hooks.eventLinearSimd();
    const sets = before === "avx2" ? ["portable", "avx2"] : ["portable"];
    const rng = new Rng(23);
    try {
      for (const [rows, Din, Dout] of [[5, 9, 67], [9, 70, 130], [80, 512, 128]] as const) {
        for (const rate of [0, 0.1, 0.5, 1]) {
          const x = spikes(rng, rows * Din, rate);
          const W = rng.fillUniform(new Float32Array(Din * Dout), -1, 1);
          const b = rng.fillUniform(new Float32Array(Dout), -1, 1);
          const runs = sets.map((name) => {
            hooks.eventLinearSimd(name);
            const y = new Float32Array(rows * Dout);
            return { acc: e.eventLinear({ x, W, b, y, rows, Din, Dout }), bits: new Uint32Array(y.buffer) };
          });
          let active = 0;
          for (const v of x) active += v;
          for (const r of runs) assert.equal(r.acc, active * Dout);
          for (const r of runs.slice(1)) assert.deepEqual(r.bits, runs[0]!.bits, `${rows}x${Din}->${Dout} rate ${rate}`);
        }
      }
      assert.throws(() => hooks.eventLinearSimd("avx1024"), RangeError);
    } finally {
      hooks.eventLinearSimd(before);
    }
  });

  it("throws a RangeError for inputs that are not spikes and for sizes that do not fit", () => {
    const W = new Float32Array(2 * 3);
    const y = new Float32Array(2 * 3);
    for (const bad of [0.5, -1, Number.NaN, 2]) {
      // the bad value in the tail of a row (Din 2) and in its 8-wide body (Din 9, input 3)
      for (const Din of [2, 9]) {
        const x = new Float32Array(Din);
        x[Din === 2 ? 1 : 3] = bad;
        const w = new Float32Array(Din * 3);
        assert.throws(() => e.eventLinear({ x, W: w, y, rows: 1, Din, Dout: 3 }), RangeError, `value ${bad}, Din ${Din}`);
      }
    }
    const x = new Float32Array(4);
    assert.throws(() => e.eventLinear({ x, W: new Float32Array(5), y, rows: 2, Din: 2, Dout: 3 }), RangeError);
    assert.throws(() => e.eventLinear({ x, W, b: new Float32Array(2), y, rows: 2, Din: 2, Dout: 3 }), RangeError);
    assert.throws(() => e.eventLinear({ x: new Float32Array(3), W, y, rows: 2, Din: 2, Dout: 3 }), RangeError);
    assert.throws(() => e.eventLinear({ x, W, y: new Float32Array(5), rows: 2, Din: 2, Dout: 3 }), RangeError);
    assert.equal(e.eventLinear({ x: new Float32Array(0), W, y: new Float32Array(0), rows: 0, Din: 2, Dout: 3 }), 0);
  });
});
