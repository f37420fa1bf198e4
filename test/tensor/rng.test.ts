import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/tensor/rng.js";

describe("Rng", () => {
  it("gives the same numbers for the same seed, run after run", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 100 }, () => a.nextU32());
    const ys = Array.from({ length: 100 }, () => b.nextU32());
    assert.deepEqual(xs, ys);
    assert.notDeepEqual(xs, Array.from({ length: 100 }, () => new Rng(43).nextU32()));
  });

  it("restores exactly from a saved state", () => {
    const a = new Rng(7);
    for (let i = 0; i < 13; i++) a.float();
    const state = a.getState();
    const expected = Array.from({ length: 20 }, () => a.normal());
    const b = Rng.fromState(state);
    assert.deepEqual(Array.from({ length: 20 }, () => b.normal()), expected);
  });

  it("draws floats in [0, 1) with mean near 1/2 and ints uniformly", () => {
    const r = new Rng(1);
    let sum = 0;
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) {
      const f = r.float();
      assert.ok(f >= 0 && f < 1);
      sum += f;
      counts[r.int(3)]!++;
    }
    assert.ok(Math.abs(sum / 30000 - 0.5) < 0.01, `mean ${sum / 30000}`);
    for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `count ${c}`);
  });

  it("draws normals with mean 0 and std 1, truncated normals within 2 std", () => {
    const r = new Rng(3);
    const n = 20000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      const t = r.truncatedNormal(0, 0.02);
      assert.ok(Math.abs(t) <= 0.04);
    }
    assert.ok(Math.abs(s / n) < 0.03);
    assert.ok(Math.abs(Math.sqrt(s2 / n - (s / n) ** 2) - 1) < 0.03);
  });

  it("forks named streams deterministically and independently", () => {
    const a = new Rng(5).fork("dropout");
    const b = new Rng(5).fork("dropout");
    const c = new Rng(5).fork("env");
    assert.equal(a.nextU32(), b.nextU32());
    assert.notEqual(new Rng(5).fork("dropout").nextU32(), c.nextU32());
  });

  it("rejects bad seeds and states with a clear error", () => {
    assert.throws(() => new Rng(-1), /seed must be an integer/);
    assert.throws(() => new Rng(1.5), /seed must be an integer/);
    assert.throws(() => new Rng(0).setState([0, 0, 0, 0]), /all-zero/);
    assert.throws(() => new Rng(0).int(0), /n must be an integer/);
  });
});
