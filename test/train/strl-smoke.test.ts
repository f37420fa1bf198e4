/**
 * Integration check with the real STRL model (src/models/strl.ts), at a tiny size: training runs and frees its
 * tensors, a killed run resumes bit-identically (the model's dropoutRng is saved), save -> load is bit-identical.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng, memoryStats, ready } from "../../src/tensor/index.js";
import { StrlModel } from "../../src/models/strl.js";
import type { PolicyModel } from "../../src/models/types.js";
import { loadModel, transposedNames } from "../../src/io/checkpoint.js";
import { train, type TrainOptions } from "../../src/train/trainer.js";
import type { LogRecord } from "../../src/train/log.js";
import { toyBatch, type TinyConfig } from "./tiny-model.js";

const DATA: TinyConfig = { obsDim: 4, actions: 4, d: 0, K: 6, dropout: 0, seed: 0 };
const make = (): StrlModel =>
  new StrlModel({ obsDim: 4, head: { kind: "discrete", n: 4 }, contextLength: 6, maxTimestep: 16, dModel: 16, nBlocks: 2, nHeads: 2, T: 4, dropout: 0.1, seed: 3 });
const META = { envId: "strl/Toy-v0", normalisation: { stateMean: [0, 0, 0, 0], stateStd: [1, 1, 1, 1], rtgScale: 1 } };
let root: string;

before(async () => {
  await ready();
  root = await mkdtemp(join(tmpdir(), "strl-smoke-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

function opts(model: PolicyModel, extra: Partial<TrainOptions> = {}): TrainOptions {
  return { model, sampleBatch: (rng: Rng, B: number) => toyBatch(rng, B, DATA), steps: 6, batchSize: 4, accumulate: 2, lr: 1e-3, warmupSteps: 2, seed: 1, output: "quiet", ...extra };
}
const losses = (h: LogRecord[]): number[] => h.map((r) => r["training/loss"] as number);

describe("training the STRL model", () => {
  it("runs, frees its tensors, and resumes a killed run with the same losses bit for bit", async () => {
    const full = make();
    const before = memoryStats().numTensors;
    const a = await train(opts(full));
    assert.equal(memoryStats().numTensors, before);
    assert.ok(a.history.every((r) => Number.isFinite(r["training/loss"])));

    const dir = join(root, "run");
    const killed = make();
    await assert.rejects(
      train(opts(killed, { outDir: dir, checkpointMeta: META, checkpointEvery: 3, onLog: (r) => { if (r.step === 5) throw new Error("killed"); } })),
      /killed/,
    );
    const resumed = make();
    const b = await train(opts(resumed, { outDir: dir, checkpointMeta: META, checkpointEvery: 3, resumeFrom: join(dir, "checkpoint") }));
    assert.deepEqual(losses(b.history), losses(a.history).slice(3));
    [full, killed, resumed].forEach((m) => m.dispose());
  });

  it("saves and loads with bit-identical outputs", async () => {
    const dir = join(root, "run");
    const { model, checkpoint } = await loadModel(join(dir, "checkpoint"), { expect: { obsDim: 4, action: { kind: "discrete", n: 4 } } }); // built by src/models' factory
    assert.deepEqual(checkpoint.config.tensors.transposed, transposedNames(model));
    assert.ok(checkpoint.config.tensors.transposed.includes("head.weight"));
    assert.equal(checkpoint.config.model.kind, "strl");
    assert.ok(model instanceof StrlModel);
    const batch = toyBatch(new Rng(5), 3, DATA);
    const trained = make();
    await train(opts(trained));
    trained.eval();
    const want = trained.forward(batch).preds;
    const got = model.forward(batch).preds;
    assert.deepEqual(got.dataSync(), want.dataSync());
    [want, got].forEach((t) => t.dispose());
    [model, trained].forEach((m) => m.dispose());
  });
});
