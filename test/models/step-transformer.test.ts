import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ready } from "../../src/tensor/index.js";
import { AnnStrlModel, StrlModel } from "../../src/models/index.js";
import { benchBatch } from "../../src/bench/model-cases.js";
import { DISCRETE, OBS, allWindows, tinyDataset } from "./fixtures.js";

// `forwardLast` (the decision path: the last block's MLP and the head on the last row only) must give exactly the
// last row of `forward`, the training path.

describe("forwardLast", () => {
  before(async () => {
    await ready();
  });

  const tiny = { obsDim: OBS, head: DISCRETE, contextLength: 4, maxTimestep: 16, dModel: 16, nBlocks: 2, nHeads: 2, seed: 3 };
  const cases: Array<[string, () => StrlModel | AnnStrlModel]> = [
    ["STRL", () => new StrlModel({ ...tiny, neuron: { vThreshold: 0.5 } })],
    ["STRL spike-driven", () => new StrlModel({ ...tiny, attention: "spike-driven", neuron: { vThreshold: 0.5 } })],
    ["ANN-STRL", () => new AnnStrlModel(tiny)],
    ["STRL at the small bench size", () => new StrlModel({ obsDim: 4, head: { kind: "discrete", n: 2 }, contextLength: 20, dModel: 128, nBlocks: 3, nHeads: 1, neuron: { vThreshold: 0.5 } })],
  ];
  for (const [name, make] of cases) {
    it(`${name}: equals the last row of forward, bit for bit`, () => {
      const m = make().eval();
      const batch = name.includes("bench") ? benchBatch("small", 7, 4) : allWindows(tinyDataset("discrete"), 4);
      const full = m.forward(batch).preds; // [B, K, n]
      const [B, K, n] = full.shape as [number, number, number];
      const all = full.dataSync();
      const last = m.forwardLast(batch);
      assert.deepEqual(last.shape, [B, 1, n]);
      const got = last.dataSync();
      for (let b = 0; b < B; b++) for (let j = 0; j < n; j++) assert.equal(got[b * n + j], all[(b * K + K - 1) * n + j], `row ${b}, output ${j}`);
      m.dispose();
    });
  }
});
