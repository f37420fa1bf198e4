import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SHAPES, benchBatch, benchHistory, splitBatch } from "../../src/bench/model-cases.js";

describe("benchmark inputs", () => {
  it("builds full windows of the configured size with the previous action shifted by one", () => {
    const b = benchBatch("small", 3);
    const s = SHAPES.small;
    assert.deepEqual([b.B, b.K, b.states.length, b.mask.reduce((a, x) => a + x, 0)], [64, 20, 64 * 20 * 4, 64 * 20]);
    assert.equal(b.prevActions[0], s.nActions, "placeholder at t = 0");
    assert.equal(b.prevActions[5], b.actions[4]);
    assert.equal(benchHistory("paper").observations.length, 100);
  });

  it("splits a batch into micro-batches that concatenate back to it", () => {
    const b = benchBatch("small", 1, 10);
    const parts = splitBatch(b, 3, 4);
    assert.deepEqual(parts.map((p) => p.B), [3, 3, 4]);
    const cat = (xs: ArrayLike<number>[]) => xs.flatMap((x) => Array.from(x));
    assert.deepEqual(cat(parts.map((p) => p.states)), Array.from(b.states));
    assert.deepEqual(cat(parts.map((p) => p.prevActions)), Array.from(b.prevActions));
    assert.throws(() => splitBatch(b, 11, 4), /micro-batches must be an integer in \[1, 10\], got 11/);
  });
});
