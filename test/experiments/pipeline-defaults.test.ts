/** `trainOnDataset` (the library's entry) defaults as `strl train` does: seed 0, warm-up over 10% of the steps. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { ready } from "../../src/tensor/index.js";
import { collectDataset } from "../../src/data/index.js";
import { trainOnDataset } from "../../src/experiments/pipeline.js";

before(async () => {
  await ready();
});

test("trainOnDataset without seed or warm-up: seed 0 and a linear warm-up over the first 10% of the steps", async () => {
  const dataset = collectDataset({ envId: "CartPole-v1", policy: "expert", episodes: 12, seed: 3 });
  const model = { dModel: 16, nBlocks: 1, nHeads: 1, contextLength: 4 };
  const run = async (train: Record<string, number>) => {
    const r = await trainOnDataset({ dataset, kind: "strl", preset: "tiny", model, train: { steps: 20, batchSize: 4, lr: 1e-3, ...train } });
    r.model.dispose();
    return r.result.history;
  };
  const auto = await run({});
  // warmupSteps = floor(20 / 10) = 2: lr x (step + 1) / 2 for steps 0 and 1, then the cosine from its peak.
  assert.deepEqual(auto.slice(0, 3).map((h) => h["training/lr"]), [5e-4, 1e-3, 1e-3]);
  const explicit = await run({ seed: 0, warmupSteps: 2 });
  assert.deepEqual(auto.map((h) => h["training/loss"]), explicit.map((h) => h["training/loss"]));
  const other = await run({ seed: 42, warmupSteps: 2 });
  assert.notDeepEqual(other.map((h) => h["training/loss"]), explicit.map((h) => h["training/loss"]));
});
