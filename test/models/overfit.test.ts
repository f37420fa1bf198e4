import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ready } from "../../src/tensor/index.js";
import { AnnStrlModel, BcModel, DtModel, StrlModel, type PolicyModel } from "../../src/models/index.js";
import { DISCRETE, OBS, allWindows, fitUntil, tinyDataset } from "./fixtures.js";

// Each model must over-fit 8 short episodes (40 labelled steps, K = 4 so some windows are padded) to >= 99% train
// accuracy within a bounded number of Adam steps.

const K = 4;
const common = { obsDim: OBS, head: DISCRETE, contextLength: K, dropout: 0, seed: 5 };
const base = { ...common, maxTimestep: 16 };
const small = { dModel: 32, nBlocks: 2, nHeads: 2 };

const MODELS: Array<[string, () => PolicyModel, number]> = [
  ["STRL (strl attention)", () => new StrlModel({ ...base, ...small }), 300],
  ["STRL (spike-driven attention)", () => new StrlModel({ ...base, ...small, attention: "spike-driven" }), 300],
  ["ANN-STRL", () => new AnnStrlModel({ ...base, ...small }), 300],
  ["Decision Transformer", () => new DtModel({ ...base, ...small }), 300],
  ["BC-MLP", () => new BcModel({ ...common, hidden: [64] }), 300],
];

describe("over-fitting a tiny fixed dataset", () => {
  before(async () => {
    await ready();
  });

  const batch = allWindows(tinyDataset("discrete"), K);

  it("uses windows with padding (the loss and accuracy must skip it)", () => {
    assert.equal(batch.B, 16);
    assert.equal(batch.mask.reduce((a, b) => a + b, 0), 40);
  });

  for (const [name, make, maxSteps] of MODELS) {
    it(`${name} reaches >= 99% train accuracy within ${maxSteps} steps`, (t) => {
      const model = make();
      const { steps, acc } = fitUntil(model, batch, { lr: 1e-2, maxSteps, target: 0.99 });
      assert.ok(acc >= 0.99, `${name}: accuracy ${acc} after ${steps} steps`);
      t.diagnostic(`${name}: ${(acc * 100).toFixed(1)}% after ${steps} steps`);
      model.dispose();
    });
  }
});
