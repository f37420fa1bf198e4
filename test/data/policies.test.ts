import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { box, discrete, make } from "../../src/envs/index.js";
import { collectDataset } from "../../src/data/collect.js";
import { MEDIUM_EPS } from "../../src/data/medium-policy-noise.js";
import { measureReturns } from "../../src/data/medium-policy-tune.js";
import { expertOf, makePolicy, noisyExpertAction, randomAction } from "../../src/data/policies.js";
import { Rng } from "../../src/tensor/rng.js";

describe("randomAction", () => {
  it("draws Discrete actions uniformly", () => {
    const rng = new Rng(1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 8000; i++) counts[randomAction(discrete(4), rng) as number]!++;
    for (const c of counts) assert.ok(Math.abs(c / 8000 - 0.25) < 0.02, `${counts}`);
  });

  it("draws Box actions inside each dimension's bounds", () => {
    const rng = new Rng(2);
    const space = box([-2, 0], [2, 0.5]);
    let sum0 = 0;
    for (let i = 0; i < 4000; i++) {
      const a = randomAction(space, rng) as number[];
      assert.ok(a[0]! >= -2 && a[0]! < 2 && a[1]! >= 0 && a[1]! < 0.5);
      sum0 += a[0]!;
    }
    assert.ok(Math.abs(sum0 / 4000) < 0.1);
  });
});

describe("noisyExpertAction", () => {
  it("returns the expert's action unchanged at eps 0", () => {
    assert.equal(noisyExpertAction(3, discrete(4), 0, new Rng(0)), 3);
    assert.deepEqual(noisyExpertAction([0.5], box(-1, 1, [1]), 0, new Rng(0)), [0.5]);
  });

  it("replaces a Discrete action with a random one about eps of the time", () => {
    const rng = new Rng(4);
    let changed = 0;
    for (let i = 0; i < 10000; i++) if (noisyExpertAction(0, discrete(2), 0.4, rng) !== 0) changed++;
    // a random replacement differs from the expert's action half of the time: 0.4 * 0.5 = 0.2
    assert.ok(Math.abs(changed / 10000 - 0.2) < 0.015, `${changed}`);
  });
});

describe("expertOf", () => {
  it("finds the grid expert and the scripted control experts", () => {
    const maze = make("Maze-v0");
    maze.reset({ seed: 0 });
    assert.ok([0, 1, 2, 3].includes(expertOf(maze)(maze) as number));
    const cart = make("CartPole-v1");
    cart.reset({ seed: 0 });
    assert.ok([0, 1].includes(expertOf(cart)(cart) as number));
  });

  it("names the env when it has no expert", () => {
    const fake = { ...make("CartPole-v1"), id: "Fake-v0" };
    assert.throws(() => expertOf(fake), /environment 'Fake-v0' has no expert policy/);
  });
});

describe("behaviour policies", () => {
  it("rejects an eps outside [0, 1]", () => {
    assert.throws(() => makePolicy("medium", "CartPole-v1", { eps: 1.5 }), /medium policy eps must be a number in \[0, 1\], got 1.5/);
  });

  for (const envId of ["CartPole-v1", "Maze-v0", "MiniGrid-FourRooms-v0"]) {
    it(`makes medium's return fall between random's and expert's on ${envId} (seeds other than the tuning ones)`, () => {
      const n = 40;
      const random = measureReturns(envId, "random", n, 77);
      const expert = measureReturns(envId, "expert", n, 77);
      const medium = measureReturns(envId, "medium", n, 77);
      const frac = (medium - random) / (expert - random);
      assert.ok(frac > 0.25 && frac < 0.75, `random ${random}, medium ${medium} (eps ${MEDIUM_EPS[envId]!.eps}), expert ${expert}`);
    });
  }

  it("gives mixed data a spread of returns from random-like to expert episodes", () => {
    const ds = collectDataset({ envId: "CartPole-v1", policy: "mixed", episodes: 60, seed: 9 });
    const r = [...ds.returns()];
    // levels 0 (expert: balances all 500 steps) and 1 (random: ~20) are each drawn for ~12 of 60 episodes
    assert.equal(Math.max(...r), 500);
    assert.ok(Math.min(...r) < 40, `${r}`);
    assert.ok(r.filter((x) => x === 500).length < 50, `${r}`);
  });
});
