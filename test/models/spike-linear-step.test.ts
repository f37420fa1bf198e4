/**
 * The inference path's Linear for spike inputs (src/models/infer/spike-linear-step.ts): event-driven below the
 * measured crossover rate, the dense sgemm above, the same values to float rounding either way.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Linear, nativeEngine, ready, Rng } from "../../src/tensor/index.js";
import { WeightCopies } from "../../src/models/infer/plan.js";
import { SpikeLinearStep } from "../../src/models/infer/spike-linear-step.js";
import { EVENT_LINEAR_MAX_RATE } from "../../src/tensor/index.js";

describe("SpikeLinearStep", () => {
  before(async () => {
    await ready();
  });

  it("takes the event-driven product below the crossover rate and the dense one above, with the same values", (t) => {
    const e = nativeEngine();
    if (!e) return t.skip("native engine not available");
    const [rows, Din, Dout] = [12, 40, 9]; // e.g. T 4 x 3 tokens, fc2 40 -> 9
    const lin = new Linear(new Rng(5), Din, Dout);
    const x = new Float32Array(rows * Din); // [rows, Din] spikes
    const step = new SpikeLinearStep(new WeightCopies(), lin, rows, x);
    const W = lin.weight.dataSync() as Float32Array; // [Din, Dout]
    const b = lin.bias!.dataSync() as Float32Array; // [Dout]
    const rng = new Rng(11);
    for (const [rate, want] of [[0.05, "event"], [0.2, "event"], [0.6, "dense"], [1, "dense"]] as const) {
      let fired = 0;
      for (let i = 0; i < x.length; i++) fired += x[i] = rng.float() < rate ? 1 : 0;
      assert.equal(fired / x.length < EVENT_LINEAR_MAX_RATE, want === "event", `rate ${rate} drawn on the right side`);
      const y = step.run(e, fired);
      assert.equal(step.last, want, `rate ${rate}`);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < Dout; j++) {
          let s = b[j]!; // float64 reference
          let abs = Math.abs(b[j]!);
          for (let i = 0; i < Din; i++) if (x[r * Din + i] === 1) (s += W[i * Dout + j]!), (abs += Math.abs(W[i * Dout + j]!));
          assert.ok(Math.abs(y[r * Dout + j]! - s) <= 2 * Din * 2 ** -24 * abs, `rate ${rate} [${r}, ${j}]`);
        }
      }
    }
  });
});
