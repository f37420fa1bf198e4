import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadAddon, type NativeAddon } from "../../src/tensor/native/addon.js";
import { nativeEngineOf } from "../../src/tensor/native/engine.js";
import { Rng } from "../../src/tensor/rng.js";
import { spikes } from "../helpers.js";

const { addon, why } = loadAddon();
const skip = addon ? false : `native addon not available: ${why}`;

describe("eventLinearWeightGrad and countSpikes (native weight gradient and rate of the event-driven Linear)", { skip }, () => {
  const ad = addon as NativeAddon;
  const e = addon ? nativeEngineOf(ad) : undefined!;
  const threads0 = addon ? ad.threads() : 1;
  after(() => {
    if (addon) ad.setThreads(threads0);
  });

  it("adds, for each input, the rows of dy where it fired (a hand example)", () => {
    // x [rows 3, Din 4] of spikes, dy [3, Dout 2].
    const x = new Float32Array([1, 0, 1, 0, /* r = 1 */ 0, 0, 1, 1, /* r = 2 */ 1, 0, 0, 1]);
    const dy = new Float32Array([1, 2, /* */ 10, 20, /* */ 100, 200]);
    const gW = new Float32Array(8).fill(Number.NaN); // [Din 4, Dout 2]
    const acc = e.eventLinearWeightGrad({ x, dy, gW, rows: 3, Din: 4, Dout: 2 });
    // input 0 fired at rows 0, 2; input 1 never; input 2 at rows 0, 1; input 3 at rows 1, 2.
    assert.deepEqual(Array.from(gW), [101, 202, 0, 0, 11, 22, 110, 220]);
    assert.equal(acc, 6 * 2); // 6 ones x Dout 2
  });

  it("equals xᵀ·dy in float64 to float rounding, summed in increasing row order, at rates 0 to 1 on odd shapes", () => {
    const rng = new Rng(41);
    // rows 1100 at Dout 130: three chunks of rows (the kernel keeps ~256 KiB of dy per chunk: 504 rows)
    for (const rows of [1, 37, 1100]) {
      for (const Din of [7, 40]) {
        for (const Dout of [5, 130]) {
          for (const rate of [0, 0.05, 0.3, 1]) {
            const x = spikes(rng, rows * Din, rate);
            const dy = rng.fillUniform(new Float32Array(rows * Dout), -1, 1);
            const gW = new Float32Array(Din * Dout).fill(Number.NaN);
            const acc = e.eventLinearWeightGrad({ x, dy, gW, rows, Din, Dout });
            let ones = 0;
            for (const v of x) ones += v;
            const what = `rows ${rows} Din ${Din} Dout ${Dout} rate ${rate}`;
            assert.equal(acc, ones * Dout, `accumulates, ${what}`);
            for (let i = 0; i < Din; i++) {
              for (let j = 0; j < Dout; j++) {
                let ref = 0; // float64 xᵀ·dy
                let abs = 0; // the scale of the rounding error: Σ |x dy|
                let f32 = 0; // the float32 sum in increasing r, as the kernel adds
                for (let r = 0; r < rows; r++) {
                  const t = x[r * Din + i]! * dy[r * Dout + j]!;
                  ref += t;
                  abs += Math.abs(t);
                  if (x[r * Din + i] === 1) f32 = Math.fround(f32 + dy[r * Dout + j]!);
                }
                const got = gW[i * Dout + j]!;
                assert.ok(Math.abs(got - ref) <= rows * 2 ** -24 * abs, `${what} [${i}, ${j}]: ${got} vs ${ref}`);
                assert.equal(got, f32, `${what} [${i}, ${j}]: the sum in increasing row order`);
              }
            }
          }
        }
      }
    }
  });

  it("gives the same bits on 1 and 2 threads", () => {
    const rng = new Rng(43);
    const [rows, Din, Dout] = [1000, 300, 136]; // 3 chunks of rows, 5 blocks of inputs
    const x = spikes(rng, rows * Din, 0.15);
    const dy = rng.fillUniform(new Float32Array(rows * Dout), -1, 1);
    const out = [1, 2].map((n) => {
      ad.setThreads(n);
      const gW = new Float32Array(Din * Dout);
      const acc = e.eventLinearWeightGrad({ x, dy, gW, rows, Din, Dout });
      return { gW, acc };
    });
    ad.setThreads(threads0);
    assert.equal(out[0]!.acc, out[1]!.acc);
    assert.ok(out[0]!.gW.some((v) => v !== 0), "a gradient that is not all zeros");
    assert.deepEqual(new Uint32Array(out[0]!.gW.buffer), new Uint32Array(out[1]!.gW.buffer));
  });

  it("gives the same bits with the portable and the AVX2 copy", () => {
    const hooks = ad as unknown as { eventLinearSimd(name?: string): string };
    const before = hooks.eventLinearSimd();
    const sets = before === "avx2" ? ["portable", "avx2"] : ["portable"];
    const rng = new Rng(47);
    try {
      for (const [rows, Din, Dout] of [[5, 9, 67], [90, 70, 130], [1100, 70, 130]] as const) {
        for (const rate of [0, 0.1, 1]) {
          const x = spikes(rng, rows * Din, rate);
          const dy = rng.fillUniform(new Float32Array(rows * Dout), -1, 1);
          const runs = sets.map((name) => {
            hooks.eventLinearSimd(name);
            const gW = new Float32Array(Din * Dout);
            return { acc: e.eventLinearWeightGrad({ x, dy, gW, rows, Din, Dout }), bits: new Uint32Array(gW.buffer) };
          });
          for (const r of runs.slice(1)) {
            assert.equal(r.acc, runs[0]!.acc);
            assert.deepEqual(r.bits, runs[0]!.bits, `${rows}x${Din}->${Dout} rate ${rate}`);
          }
        }
      }
    } finally {
      hooks.eventLinearSimd(before);
    }
  });

  it("countSpikes counts the ones, -1 for a value other than 0 and 1, the same on 1 and 2 threads", () => {
    assert.equal(e.countSpikes({ x: new Float32Array([1, 0, 0, 1, 1, 0, -0]) }), 3);
    assert.equal(e.countSpikes({ x: new Float32Array(0) }), 0);
    const rng = new Rng(71);
    const x = spikes(rng, 200_003, 0.07); // 4 tasks of 2^16 values
    let ones = 0;
    for (const v of x) ones += v;
    for (const n of [1, 2]) {
      ad.setThreads(n);
      assert.equal(e.countSpikes({ x }), ones, `${n} threads`);
    }
    ad.setThreads(threads0);
    for (const bad of [0.5, -1, Number.NaN, 2]) {
      for (const at of [0, 100_000, 200_002]) {
        const y = x.slice();
        y[at] = bad;
        assert.equal(e.countSpikes({ x: y }), -1, `value ${bad} at ${at}`);
      }
    }
  });

  it("throws a RangeError for inputs that are not spikes and for sizes that do not fit", () => {
    const dy = new Float32Array(2 * 3);
    const gW = new Float32Array(20 * 3);
    for (const bad of [0.5, -1, Number.NaN, 2]) {
      for (const [Din, at] of [[2, 1], [20, 17]] as const) {
        const x = new Float32Array(2 * Din);
        x[Din + at] = bad; // row 1
        assert.throws(() => e.eventLinearWeightGrad({ x, dy, gW, rows: 2, Din, Dout: 3 }), RangeError, `value ${bad}, Din ${Din}`);
      }
    }
    const x = new Float32Array(4);
    assert.throws(() => e.eventLinearWeightGrad({ x: new Float32Array(3), dy, gW, rows: 2, Din: 2, Dout: 3 }), RangeError);
    assert.throws(() => e.eventLinearWeightGrad({ x, dy: new Float32Array(5), gW, rows: 2, Din: 2, Dout: 3 }), RangeError);
    assert.throws(() => e.eventLinearWeightGrad({ x, dy, gW: new Float32Array(5), rows: 2, Din: 2, Dout: 3 }), RangeError);
    assert.throws(() => e.eventLinearWeightGrad({ x, dy, gW, rows: -1, Din: 2, Dout: 3 }), RangeError);
    const empty = new Float32Array(6).fill(Number.NaN);
    assert.equal(e.eventLinearWeightGrad({ x: new Float32Array(0), dy: new Float32Array(0), gW: empty, rows: 0, Din: 2, Dout: 3 }), 0);
    assert.deepEqual(Array.from(empty), [0, 0, 0, 0, 0, 0]); // no rows: a zero gradient
  });
});
