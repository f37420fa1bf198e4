import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ReturnToGo } from "../../src/eval/rtg.js";
import { assertClose } from "../helpers.js";

describe("ReturnToGo", () => {
  it("starts at target / scale and subtracts each reward / scale", () => {
    const g = new ReturnToGo(10, 4);
    assert.equal(g.value, 2.5);
    g.update(2); // 2.5 - 0.5
    g.update(-4); // 2 + 1
    g.update(0.5); // 3 - 0.125
    assertClose(g.values, [2.5, 2, 3, 2.875], 1e-12);
  });

  it("equals (target - rewards so far) / scale, the training quantity", () => {
    const rewards = [-0.1, -0.1, -0.1, 0.9];
    const g = new ReturnToGo(0.6, 1.5);
    rewards.forEach((r) => g.update(r));
    assertClose(g.values, [0.6 / 1.5, 0.7 / 1.5, 0.8 / 1.5, 0.9 / 1.5, 0], 1e-12);
  });

  it("rejects a non-positive scale and non-finite rewards", () => {
    assert.throws(() => new ReturnToGo(1, 0), /rtgScale must be a finite number > 0, got 0/);
    assert.throws(() => new ReturnToGo(1, 1).update(NaN), /reward must be a finite number, got NaN/);
  });
});
