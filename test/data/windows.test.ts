import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dataset, type Trajectory } from "../../src/data/trajectory.js";
import { WindowSampler, splitEpisodes, type WindowBatch } from "../../src/data/windows.js";
import { Rng } from "../../src/tensor/rng.js";

function ep(obs: number[], actions: number[], rewards: number[]): Trajectory {
  return { observations: new Float32Array(obs), actions: new Int32Array(actions), rewards: new Float32Array(rewards), terminated: true, truncated: false };
}

// Episode A: 3 steps, episode B: 1 step; obsDim 1, Discrete(3).
const tiny = new Dataset({
  envId: "Tiny-v0",
  obsDim: 1,
  actionSpace: { kind: "discrete", n: 3 },
  trajectories: [ep([10, 20, 30], [0, 1, 2], [1, 2, 3]), ep([40], [1], [5])],
});
const stats = { mean: new Float32Array([20]), std: new Float32Array([10]) };

function rows(b: WindowBatch, key: "states" | "rtg" | "timesteps" | "actions" | "prevActions" | "mask"): number[][] {
  const a = b[key];
  const width = a.length / b.B;
  return Array.from({ length: b.B }, (_, i) => [...a.slice(i * width, (i + 1) * width)]);
}

describe("WindowSampler.allWindows", () => {
  it("left-pads, normalises states, scales returns-to-go, clips timesteps and marks the previous action", () => {
    const s = new WindowSampler(tiny, { contextLength: 4, rtgScale: 2, numTimesteps: 2, stats });
    const batches = [...s.allWindows(8)];
    assert.equal(batches.length, 1);
    const b = batches[0]!;
    assert.equal(b.B, 2);
    assert.equal(b.K, 4);
    assert.deepEqual(rows(b, "mask"), [[0, 1, 1, 1], [0, 0, 0, 1]]);
    // (s - 20) / 10
    assert.deepEqual(rows(b, "states"), [[0, -1, 0, 1], [0, 0, 0, 2]]);
    // G = [6, 5, 3] and [5], divided by 2
    assert.deepEqual(rows(b, "rtg"), [[0, 3, 2.5, 1.5], [0, 0, 0, 2.5]]);
    // t = 0, 1, 2 clipped to numTimesteps - 1 = 1
    assert.deepEqual(rows(b, "timesteps"), [[0, 0, 1, 1], [0, 0, 0, 0]]);
    assert.deepEqual(rows(b, "actions"), [[0, 0, 1, 2], [0, 0, 0, 1]]);
    // placeholder 3 (= numActions) at t = 0 and on padding
    assert.deepEqual(rows(b, "prevActions"), [[3, 3, 0, 1], [3, 3, 3, 3]]);
  });

  it("cuts episodes into consecutive chunks so every step appears once, with the real previous action after a cut", () => {
    const s = new WindowSampler(tiny, { contextLength: 2, rtgScale: 1, numTimesteps: 100, stats });
    assert.equal(s.numWindows, 3);
    const batches = [...s.allWindows(2)];
    assert.deepEqual(batches.map((b) => b.B), [2, 1]);
    const all = { states: [] as number[][], mask: [] as number[][], prev: [] as number[][], t: [] as number[][] };
    for (const b of batches) {
      all.states.push(...rows(b, "states"));
      all.mask.push(...rows(b, "mask"));
      all.prev.push(...rows(b, "prevActions"));
      all.t.push(...rows(b, "timesteps"));
    }
    assert.deepEqual(all.states, [[-1, 0], [0, 1], [0, 2]]);
    assert.deepEqual(all.mask, [[1, 1], [0, 1], [0, 1]]);
    assert.deepEqual(all.prev, [[3, 0], [3, 1], [3, 3]]);
    assert.deepEqual(all.t, [[0, 1], [0, 2], [0, 0]]);
    const realSteps = all.mask.flat().reduce((a, b) => a + b, 0);
    assert.equal(realSteps, tiny.numSteps);
  });

  it("normalises with the episodes' own statistics by default", () => {
    const s = new WindowSampler(tiny, { contextLength: 1, rtgScale: 1, numTimesteps: 10 });
    // states 10, 20, 30, 40: mean 25, population std sqrt(125)
    assert.ok(Math.abs(s.stats.mean[0]! - 25) < 1e-6);
    assert.ok(Math.abs(s.stats.std[0]! - Math.sqrt(125)) < 1e-5);
  });

  it("uses zeros as the previous action of a Box dataset at t = 0 and on padding", () => {
    const box = new Dataset({
      envId: "Box-v0",
      obsDim: 1,
      actionSpace: { kind: "box", shape: [2], low: [-1, -1], high: [1, 1] },
      trajectories: [{ observations: new Float32Array([0, 1]), actions: new Float32Array([0.5, -0.5, 0.25, 1]), rewards: new Float32Array([0, 0]), terminated: false, truncated: true }],
    });
    const b = [...new WindowSampler(box, { contextLength: 3, rtgScale: 1, numTimesteps: 10 }).allWindows(4)][0]!;
    assert.deepEqual([...b.actions], [0, 0, 0.5, -0.5, 0.25, 1]);
    assert.deepEqual([...b.prevActions], [0, 0, 0, 0, 0.5, -0.5]);
  });

  it("rejects a bad config naming the field and the value", () => {
    assert.throws(() => new WindowSampler(tiny, { contextLength: 0, rtgScale: 1, numTimesteps: 1 }), /contextLength must be a positive integer, got 0/);
    assert.throws(() => new WindowSampler(tiny, { contextLength: 2, rtgScale: -1, numTimesteps: 1 }), /rtgScale must be a finite number > 0, got -1/);
    assert.throws(() => new WindowSampler(tiny, { contextLength: 2, rtgScale: 1, numTimesteps: 1.5 }), /numTimesteps must be a positive integer, got 1.5/);
  });
});

// Episodes of length 1, 3 and 6; observation = the global step index 0..9.
const weighted = new Dataset({
  envId: "Weighted-v0",
  obsDim: 1,
  actionSpace: { kind: "discrete", n: 2 },
  trajectories: [ep([0], [0], [0]), ep([1, 2, 3], [0, 0, 0], [0, 0, 0]), ep([4, 5, 6, 7, 8, 9], [1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0])],
});
const identity = { mean: new Float32Array([0]), std: new Float32Array([1]) };
const starts = [0, 1, 1, 1, 4, 4, 4, 4, 4, 4]; // first global step of the episode holding each step
const lens = [1, 3, 3, 3, 6, 6, 6, 6, 6, 6];

describe("WindowSampler.sample", () => {
  it("draws episodes in proportion to their length and start steps uniformly within them", () => {
    const s = new WindowSampler(weighted, { contextLength: 1, rtgScale: 1, numTimesteps: 10, stats: identity });
    const n = 20000;
    const b = s.sample(n, new Rng(7));
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) counts[b.states[i]!]!++;
    // each of the 10 steps is a start with probability (len / 10) * (1 / len) = 0.1; sd of a frequency ~ 0.0021
    for (const c of counts) assert.ok(Math.abs(c / n - 0.1) < 0.012, `frequencies ${counts.map((x) => x / n).join(", ")}`);
    const perEpisode = [counts[0]!, counts[1]! + counts[2]! + counts[3]!, counts.slice(4).reduce((x, y) => x + y, 0)].map((c) => c / n);
    // uniform over episodes would give 1/3 each
    assert.ok(Math.abs(perEpisode[0]! - 0.1) < 0.012 && Math.abs(perEpisode[1]! - 0.3) < 0.02 && Math.abs(perEpisode[2]! - 0.6) < 0.02, `${perEpisode}`);
  });

  it("takes up to K consecutive steps from the start and left-pads the rest", () => {
    const K = 4;
    const s = new WindowSampler(weighted, { contextLength: K, rtgScale: 1, numTimesteps: 10, stats: identity });
    const b = s.sample(200, new Rng(3));
    for (let r = 0; r < b.B; r++) {
      const mask = [...b.mask.slice(r * K, (r + 1) * K)];
      const states = [...b.states.slice(r * K, (r + 1) * K)];
      const nReal = mask.reduce((x, y) => x + y, 0);
      const first = states[K - nReal]!;
      const expectedN = Math.min(K, starts[first]! + lens[first]! - first);
      assert.equal(nReal, expectedN, `row ${r}: start ${first}`);
      assert.deepEqual(mask, [...new Array<number>(K - nReal).fill(0), ...new Array<number>(nReal).fill(1)]);
      assert.deepEqual(states, [...new Array<number>(K - nReal).fill(0), ...Array.from({ length: nReal }, (_, j) => first + j)]);
      assert.equal(b.timesteps[r * K + K - nReal], first - starts[first]!);
    }
  });

  it("returns the same batch for the same seed", () => {
    const s = new WindowSampler(weighted, { contextLength: 3, rtgScale: 1, numTimesteps: 10 });
    assert.deepEqual(s.sample(32, new Rng(11)), s.sample(32, new Rng(11)));
    assert.notDeepEqual(s.sample(32, new Rng(11)).states, s.sample(32, new Rng(12)).states);
  });

  it("draws only from the episodes of its split", () => {
    const s = new WindowSampler(weighted, { contextLength: 1, rtgScale: 1, numTimesteps: 10, stats: identity }, [0, 1]);
    const b = s.sample(500, new Rng(5));
    assert.ok([...b.states].every((v) => v <= 3));
    assert.equal(s.numSteps, 4);
  });
});

describe("splitEpisodes", () => {
  it("splits 70/15/15 into disjoint sorted lists covering every episode", () => {
    const sp = splitEpisodes(20, new Rng(1));
    assert.deepEqual([sp.train.length, sp.val.length, sp.test.length], [14, 3, 3]);
    assert.deepEqual([...sp.train, ...sp.val, ...sp.test].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
    for (const l of [sp.train, sp.val, sp.test]) assert.deepEqual(l, [...l].sort((a, b) => a - b));
  });

  it("gives the paper's 35,000 / 7,500 / 7,500 split of 50,000 mazes", () => {
    const sp = splitEpisodes(50000, new Rng(42));
    assert.deepEqual([sp.train.length, sp.val.length, sp.test.length], [35000, 7500, 7500]);
  });

  it("returns the same split for the same seed and a different one for another seed", () => {
    assert.deepEqual(splitEpisodes(30, new Rng(9)), splitEpisodes(30, new Rng(9)));
    assert.notDeepEqual(splitEpisodes(30, new Rng(9)).test, splitEpisodes(30, new Rng(10)).test);
  });

  it("rejects fractions that do not sum to 1", () => {
    assert.throws(() => splitEpisodes(10, new Rng(0), [0.5, 0.5, 0.5]), /fractions must be >= 0 and sum to 1, got \[0.5, 0.5, 0.5\]/);
  });
});
