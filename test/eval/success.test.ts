import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SuccessTracker, successRule } from "../../src/eval/success.js";
import type { StepResult } from "../../src/envs/core.js";

const step = (info: Record<string, unknown>, reward = 0, terminated = false): StepResult => ({ observation: [], reward, terminated, truncated: false, info });
const end = (o: Partial<{ length: number; terminated: boolean; truncated: boolean; lastReward: number; envMaxSteps: number }>) => ({
  length: 10, terminated: false, truncated: true, lastReward: 0, envMaxSteps: 500, ...o,
});

describe("success rules per env family", () => {
  it("counts a maze episode with info.isSuccess on any step", () => {
    const t = new SuccessTracker(successRule("MazeLocal-v0"));
    t.step(step({ isSuccess: true }, 0.9, true));
    assert.equal(t.end(end({ terminated: true })), true);
    assert.equal(new SuccessTracker(successRule("MiniGrid-Empty-8x8-v0")).end(end({ terminated: true, lastReward: 1 })), false);
  });

  it("counts CartPole only when it survives to the time limit", () => {
    const r = successRule("CartPole-v1");
    assert.equal(new SuccessTracker(r).end(end({ length: 500 })), true);
    assert.equal(new SuccessTracker(r).end(end({ length: 499 })), false);
    assert.equal(new SuccessTracker(r).end(end({ length: 500, terminated: true })), false);
  });

  it("counts Maze2D when the ball comes within 0.5 of the goal", () => {
    const t = new SuccessTracker(successRule("Maze2D-UMaze-v0"));
    t.step(step({ distance: 0.7 }));
    assert.equal(t.end(end({})), false);
    t.step(step({ distance: 0.5 }));
    assert.equal(t.end(end({})), true);
  });

  it("has no notion of success for Pendulum, and the generic rule elsewhere", () => {
    assert.equal(successRule("Pendulum-v1"), null);
    // the locomotion envs terminate when they fall (with the step's positive healthy reward): never a success
    for (const id of ["Hopper-v5", "Walker2d-v5", "HalfCheetah-v5"]) assert.equal(successRule(id), null, id);
    assert.equal(new SuccessTracker(null).end(end({})), null);
    assert.equal(new SuccessTracker(successRule("Acrobot-v1")).end(end({ terminated: true })), true);
    const g = successRule("Unknown-v0");
    assert.equal(new SuccessTracker(g).end(end({ terminated: true, lastReward: 1 })), true);
    assert.equal(new SuccessTracker(g).end(end({ terminated: true, lastReward: -1 })), false);
  });
});
