/** The run folder: one run at a time, a failing fresh run keeps the old log, a resume refuses another model or env. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng, ready } from "../../src/tensor/index.js";
import { train, type TrainOptions } from "../../src/train/trainer.js";
import { acquireRunLock, LOCK_FILE } from "../../src/io/run-lock.js";
import { TinyModel, toyBatch, type TinyConfig } from "./tiny-model.js";

const CFG: TinyConfig = { obsDim: 3, actions: 3, d: 12, K: 4, dropout: 0.1, seed: 11 };
const META = { envId: "strl/Toy-v0", normalisation: { stateMean: [0, 0, 0], stateStd: [1, 1, 1], rtgScale: 1 } };
let root: string;

before(async () => {
  await ready();
  root = await mkdtemp(join(tmpdir(), "strl-runfolder-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

function opts(model: TinyModel, extra: Partial<TrainOptions>): TrainOptions {
  return { model, steps: 2, batchSize: 4, seed: 3, output: "quiet", sampleBatch: (rng: Rng, B: number) => toyBatch(rng, B, CFG), checkpointMeta: META, ...extra };
}

describe("run folder", () => {
  it("refuses a second run while the first holds the folder, and releases it after", async () => {
    const dir = join(root, "busy");
    const held = acquireRunLock(dir);
    const model = new TinyModel(CFG);
    await assert.rejects(train(opts(model, { outDir: dir })), /busy: another strl process \(pid \d+\) is using this run folder/);
    held.release();
    await train(opts(model, { outDir: dir }));
    assert.equal(existsSync(join(dir, LOCK_FILE)), false, "the lock is gone after the run");
    model.dispose();
  });

  it("keeps the previous log when a fresh run fails before its first update", async () => {
    const dir = join(root, "log");
    const model = new TinyModel(CFG);
    await train(opts(model, { outDir: dir }));
    const before = await readFile(join(dir, "log.jsonl"), "utf8");
    assert.equal(before.trim().split("\n").length, 2);
    const failing = opts(model, { outDir: dir, sampleBatch: () => { throw new RangeError("bad batch"); } });
    await assert.rejects(train(failing), /bad batch/);
    assert.equal(await readFile(join(dir, "log.jsonl"), "utf8"), before);
    model.dispose();
  });

  it("refuses to resume with another model config or env, naming the difference", async () => {
    const dir = join(root, "resume");
    const model = new TinyModel(CFG);
    await train(opts(model, { outDir: dir, steps: 2 }));
    const other = new TinyModel(CFG);
    await assert.rejects(
      train(opts(other, { outDir: dir, resumeFrom: join(dir, "checkpoint"), checkpointMeta: { ...META, envId: "strl/Other-v0" } })),
      /cannot resume from .*: env was 'strl\/Toy-v0' in the checkpoint but is 'strl\/Other-v0' now/,
    );
    [model, other].forEach((m) => m.dispose());
  });
});
