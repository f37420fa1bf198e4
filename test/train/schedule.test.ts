import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { learningRate, type ScheduleOptions } from "../../src/train/schedule.js";

const close = (a: number, b: number, tol = 1e-15): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

describe("learningRate", () => {
  const cos: ScheduleOptions = { lr: 1e-3, warmupSteps: 10, totalSteps: 110, kind: "cosine" };

  it("ramps linearly over the warm-up, reaching the peak on its last step", () => {
    close(learningRate(0, cos), 1e-4);
    close(learningRate(4, cos), 5e-4);
    close(learningRate(9, cos), 1e-3);
  });

  it("follows the cosine from the peak to minLr after the warm-up", () => {
    close(learningRate(10, cos), 1e-3); // p = 0
    close(learningRate(60, cos), 5e-4); // p = 1/2: (1 + cos(pi/2)) / 2 = 1/2
    close(learningRate(35, cos), 1e-3 * (1 + Math.SQRT1_2) / 2); // p = 1/4
    close(learningRate(110, cos), 0); // p = 1
    close(learningRate(500, cos), 0); // past the end: stays at the floor
  });

  it("decays to minLr instead of zero when minLr is set", () => {
    const o = { ...cos, minLr: 1e-4 };
    close(learningRate(110, o), 1e-4);
    close(learningRate(60, o), 1e-4 + (9e-4 * 1) / 2);
  });

  it("keeps the peak rate after warm-up with the constant schedule", () => {
    const o: ScheduleOptions = { lr: 2e-4, warmupSteps: 4, totalSteps: 100, kind: "constant" };
    close(learningRate(1, o), 1e-4);
    for (const s of [3, 4, 50, 99]) close(learningRate(s, o), 2e-4);
  });

  it("starts at the peak without warm-up", () => {
    close(learningRate(0, { lr: 1e-3, warmupSteps: 0, totalSteps: 100, kind: "cosine" }), 1e-3);
  });

  it("names the bad option and its value", () => {
    assert.throws(() => learningRate(0, { ...cos, kind: "linear" as "cosine" }), /schedule\.kind must be one of 'cosine', 'constant', got 'linear'/);
    assert.throws(() => learningRate(0, { ...cos, warmupSteps: -1 }), /schedule\.warmupSteps must be an integer >= 0, got -1/);
    assert.throws(() => learningRate(0, { ...cos, minLr: 1 }), /schedule\.minLr must be a finite number in \[0, 0\.001\], got 1/);
    assert.throws(() => learningRate(1.5, cos), /learningRate\.step must be an integer >= 0, got 1\.5/);
  });
});
