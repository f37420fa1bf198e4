import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dataset, returnsToGo, stateStats, summarize, type Trajectory } from "../../src/data/trajectory.js";

function traj(obs: number[], actions: number[], rewards: number[], terminated = true): Trajectory {
  return {
    observations: new Float32Array(obs),
    actions: new Int32Array(actions),
    rewards: new Float32Array(rewards),
    terminated,
    truncated: !terminated,
  };
}

describe("returnsToGo", () => {
  it("sums the rewards from each step to the end", () => {
    const g = returnsToGo(new Float32Array([1, 2, 3, -0.5]));
    assert.deepEqual([...g], [5.5, 4.5, 2.5, -0.5]);
  });

  it("discounts later rewards by powers of the discount", () => {
    const g = returnsToGo(new Float32Array([1, 2, 4]), 0.5);
    // G2 = 4, G1 = 2 + 0.5*4 = 4, G0 = 1 + 0.5*4 = 3
    assert.deepEqual([...g], [3, 4, 4]);
  });

  it("matches the maze reward convention (-0.1 per step, +1 on the last)", () => {
    const r = new Float32Array([-0.1, -0.1, -0.1 + 1]);
    const g = returnsToGo(r);
    assert.ok(Math.abs(g[0]! - 0.7) < 1e-6);
    assert.ok(Math.abs(g[1]! - 0.8) < 1e-6);
    assert.ok(Math.abs(g[2]! - 0.9) < 1e-6);
  });

  it("rejects a discount outside [0, 1]", () => {
    assert.throws(() => returnsToGo(new Float32Array([1]), 1.5), /discount must be in \[0, 1\], got 1.5/);
  });
});

describe("stateStats", () => {
  it("computes the mean and population std over all steps of all episodes", () => {
    // dim 0 values: 1, 3, 5 -> mean 3, var (4 + 0 + 4) / 3; dim 1 constant 7 -> std floored
    const s = stateStats([traj([1, 7, 3, 7], [0, 0], [0, 0]), traj([5, 7], [0], [0])], 2);
    assert.ok(Math.abs(s.mean[0]! - 3) < 1e-6);
    assert.ok(Math.abs(s.std[0]! - Math.sqrt(8 / 3)) < 1e-6);
    assert.equal(s.mean[1], 7);
    assert.ok(Math.abs(s.std[1]! - 1e-6) < 1e-12);
  });
});

describe("Dataset", () => {
  const ds = new Dataset({
    envId: "Test-v0",
    obsDim: 1,
    actionSpace: { kind: "discrete", n: 3 },
    trajectories: [traj([0, 1, 2], [0, 1, 2], [1, 1, 1]), traj([5], [2], [-4], false)],
  });

  it("reports episode returns, lengths and the step count", () => {
    assert.deepEqual([...ds.returns()], [3, -4]);
    assert.deepEqual([...ds.lengths()], [3, 1]);
    assert.equal(ds.numSteps, 4);
    assert.equal(ds.numEpisodes, 2);
    assert.equal(ds.actDim, 1);
  });

  it("makes subsets that share the episodes", () => {
    const sub = ds.subset([1]);
    assert.equal(sub.numEpisodes, 1);
    assert.equal(sub.trajectories[0], ds.trajectories[1]);
    assert.throws(() => ds.subset([2]), /index 2 is outside \[0, 1\]/);
  });

  it("rejects episodes whose arrays disagree with obsDim or the action space", () => {
    const base = { envId: "T", obsDim: 2, actionSpace: { kind: "discrete", n: 2 } as const };
    assert.throws(() => new Dataset({ ...base, trajectories: [traj([1, 2, 3], [0], [0])] }), /trajectory 0: observations has 3 values, expected len 1 x obsDim 2/);
    assert.throws(() => new Dataset({ ...base, trajectories: [traj([1, 2], [2], [0])] }), /action 2 at step 0 is outside Discrete\(2\)/);
    assert.throws(() => new Dataset({ ...base, obsDim: 0, trajectories: [] }), /obsDim must be a positive integer, got 0/);
  });
});

describe("summarize", () => {
  it("gives mean, population std, min and max", () => {
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    assert.deepEqual(s, { mean: 5, std: 2, min: 2, max: 9 });
  });
});
