import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Rng, ready } from "../../src/tensor/index.js";
import { WindowSampler } from "../../src/data/windows.js";
import { returnsToGo, type Dataset } from "../../src/data/trajectory.js";
import { BcModel, DtModel, StrlModel, argmaxRows, historyToBatch, type History } from "../../src/models/index.js";
import { CONTINUOUS, DISCRETE, OBS, tinyDataset } from "./fixtures.js";

const K = 3;
const RTG_SCALE = 4;
const T_TABLE = 3; // a small table, so clipping shows

/** The history of the first `n` steps of episode 0 of `ds`, raw, as evaluation would have collected it. */
function historyOf(ds: Dataset, n: number): History {
  const ep = ds.trajectories[0]!;
  const g = returnsToGo(ep.rewards);
  const dim = ds.actDim;
  return {
    observations: Array.from({ length: n }, (_, t) => ep.observations.slice(t * OBS, (t + 1) * OBS)),
    actions: Array.from({ length: n - 1 }, (_, t) => (ds.actionSpace.kind === "discrete" ? ep.actions[t]! : ep.actions.slice(t * dim, (t + 1) * dim))),
    returnsToGo: Array.from(g.slice(0, n)),
    timesteps: Array.from({ length: n }, (_, t) => t),
  };
}

describe("getAction", () => {
  before(async () => {
    await ready();
  });

  for (const kind of ["discrete", "continuous"] as const) {
    for (const len of [2, 6]) {
      it(`builds the same window as the training sampler (${kind}, ${len} steps: ${len < K ? "left-padded" : "cropped to the last K"})`, () => {
        // an episode of `len` steps; the sampler's last chunk ends at its last step, as the history does
        const ds = tinyDataset(kind, 1, len);
        const sampler = new WindowSampler(ds, { contextLength: K, rtgScale: RTG_SCALE, numTimesteps: T_TABLE });
        const chunks = [...sampler.allWindows(1)];
        const want = chunks[chunks.length - 1]!;
        const spec = {
          obsDim: OBS,
          head: kind === "discrete" ? DISCRETE : CONTINUOUS,
          contextLength: K,
          stateMean: Array.from(sampler.stats.mean),
          stateStd: Array.from(sampler.stats.std),
          rtgScale: RTG_SCALE,
          maxTimestep: T_TABLE,
        };
        const got = historyToBatch(spec, historyOf(ds, len));
        assert.deepEqual(Array.from(got.mask), Array.from(want.mask));
        assert.deepEqual(Array.from(got.timesteps), Array.from(want.timesteps));
        assert.deepEqual(Array.from(got.prevActions), Array.from(want.prevActions));
        for (let i = 0; i < got.states.length; i++) assert.ok(Math.abs(got.states[i]! - want.states[i]!) < 1e-6, `state ${i}`);
        for (let i = 0; i < got.rtg.length; i++) assert.ok(Math.abs(got.rtg[i]! - want.rtg[i]!) < 1e-6, `rtg ${i}`);
        // target actions agree except at the current (last) step, whose action is not known yet
        const dim = kind === "discrete" ? 1 : 2;
        for (let i = 0; i < (K - 1) * dim; i++) assert.equal(got.actions[i], want.actions[i], `action ${i}`);
        if (len < K) assert.deepEqual(Array.from(got.mask), [0, 1, 1]);
        else assert.deepEqual(Array.from(got.timesteps), [2, 2, 2], "timesteps 3, 4, 5 clip to the table's last entry");
      });
    }
  }

  it("returns the argmax at the current position, in eval mode, and restores the training flag", () => {
    const m = new StrlModel({ obsDim: OBS, head: DISCRETE, contextLength: K, maxTimestep: T_TABLE, dModel: 8, nBlocks: 1, nHeads: 1, dropout: 0.5 });
    const h = historyOf(tinyDataset("discrete", 1, 6), 4);
    const batch = historyToBatch({ ...m.config }, h);
    m.eval();
    const p = m.forward(batch).preds.dataSync() as Float32Array;
    m.train();
    const a = m.getAction(h);
    assert.equal(a, argmaxRows(p.slice((K - 1) * 3), 3)[0]);
    assert.equal(m.training, true);
    assert.equal(m.getAction(h), a, "eval mode: no dropout, the same action twice");
  });

  it("samples reproducibly from a seeded rng and needs one to sample", () => {
    const m = new DtModel({ obsDim: OBS, head: DISCRETE, contextLength: K, maxTimestep: T_TABLE, dModel: 8, nBlocks: 1 });
    const h = historyOf(tinyDataset("discrete", 1, 6), 3);
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 20 }, () => m.getAction(h, { sample: true, rng, temperature: 5 }));
    };
    assert.deepEqual(draw(1), draw(1));
    assert.ok(new Set(draw(1)).size > 1, "a high temperature should spread the samples");
    assert.throws(() => m.getAction(h, { sample: true }), /sampling needs a seeded rng/);
  });

  it("returns a continuous action inside the bounds", () => {
    const m = new BcModel({ obsDim: OBS, head: CONTINUOUS, contextLength: K, hidden: [8] });
    const a = m.getAction(historyOf(tinyDataset("continuous", 1, 6), 5)) as Float32Array;
    assert.ok(a instanceof Float32Array && a.length === 2);
    assert.ok(a[0]! > -1 && a[0]! < 1 && a[1]! > -2 && a[1]! < 2);
  });

  it("rejects a history whose lengths disagree", () => {
    const m = new BcModel({ obsDim: OBS, head: DISCRETE, contextLength: K, hidden: [8] });
    const h = historyOf(tinyDataset("discrete", 1, 6), 3);
    assert.throws(() => m.getAction({ ...h, actions: [...h.actions, 0] }), /one action fewer than observations \(2\), got 3/);
    assert.throws(() => m.getAction({ ...h, timesteps: [0] }), /history\.timesteps must have 3 entries, got 1/);
    assert.throws(() => m.getAction({ ...h, observations: [] , actions: [], returnsToGo: [], timesteps: [] }), /history\.observations is empty/);
  });
});
