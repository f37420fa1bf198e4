import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadAddon, type NativeAddon } from "../../src/tensor/native/addon.js";
import { timeNativeCalls } from "../../src/tensor/native/call-timer.js";
import { formatNativeCalls } from "../../src/bench/cpu-profile.js";

const { addon, why } = loadAddon();
const skip = addon ? false : `native addon not available: ${why}`;

describe("timeNativeCalls (time inside each native addon function)", { skip }, () => {
  const ad = addon as NativeAddon;

  it("counts each call by function, keeps the results, and puts the originals back when stopped", () => {
    const gemm = ad.gemm;
    const unary = ad.unary;
    const timer = timeNativeCalls();
    assert.notEqual(ad.gemm, gemm, "gemm is wrapped while the timer runs");
    // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50], twice, and one exp
    const A = new Float32Array([1, 2, 3, 4]);
    const B = new Float32Array([5, 6, 7, 8]);
    const C = new Float32Array(4);
    ad.gemm(1, 2, 2, 2, false, false, A, 0, B, 0, C);
    ad.gemm(1, 2, 2, 2, false, false, A, 0, B, 0, C);
    const y = new Float32Array(1);
    ad.unary(0, new Float32Array([0]), y);
    const times = timer.stop();
    assert.deepEqual([...C], [19, 22, 43, 50]);
    assert.equal(y[0], 1);
    assert.deepEqual(times.map((t) => [t.name, t.calls]).sort(), [["gemm", 2], ["unary", 1]]);
    for (const t of times) assert.ok(t.ms >= 0 && Number.isFinite(t.ms), `${t.name} ${t.ms}`);
    assert.equal(ad.gemm, gemm, "gemm restored");
    assert.equal(ad.unary, unary, "unary restored");
  });

  it("counts nothing after stop and refuses a second timer while one runs", () => {
    const timer = timeNativeCalls();
    assert.throws(() => timeNativeCalls(), /already running/);
    const first = timer.stop();
    assert.deepEqual(first, []);
    ad.unary(0, new Float32Array([0]), new Float32Array(1));
    assert.deepEqual(timer.stop(), []);
    timeNativeCalls().stop(); // a new timer may start once the first stopped
  });

  it("formats the calls with their share of the run and the time left outside the addon", () => {
    const text = formatNativeCalls([{ name: "gemm", ms: 50, calls: 36 }, { name: "lifBackward", ms: 25, calls: 1 }], 200);
    assert.deepEqual(text.split("\n"), [
      "inside the native addon, one more run of 200.0 ms (wall time per function, timed call by call):",
      "       50.0 ms  25.0%  gemm (36 calls)",
      "       25.0 ms  12.5%  lifBackward (1 call)",
      "      125.0 ms  62.5%  outside the addon (JS, tfjs, allocation, GC)",
    ]);
  });

  it("gives the time and calls per run when it timed several runs", () => {
    // 4 runs of 0.5 ms: lifForward 0.2 ms and 18 calls per run, linearForward 0.1 ms and 2.5 calls per run
    const text = formatNativeCalls([{ name: "lifForward", ms: 0.8, calls: 72 }, { name: "linearForward", ms: 0.4, calls: 10 }], 2, 4);
    assert.deepEqual(text.split("\n"), [
      "inside the native addon, 4 more runs of 0.500 ms on average (wall time per function and run, timed call by call):",
      "      0.200 ms  40.0%  lifForward (18 calls)",
      "      0.100 ms  20.0%  linearForward (2.5 calls)",
      "      0.200 ms  40.0%  outside the addon (JS, tfjs, allocation, GC)",
    ]);
  });
});
