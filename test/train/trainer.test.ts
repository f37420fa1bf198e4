import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng, memoryStats, ready } from "../../src/tensor/index.js";
import { train, type TrainOptions } from "../../src/train/trainer.js";
import type { LogRecord, TextSink } from "../../src/train/log.js";
import { TinyModel, toyBatch, type TinyConfig } from "./tiny-model.js";

const CFG: TinyConfig = { obsDim: 3, actions: 3, d: 12, K: 4, dropout: 0.1, seed: 11 };
const META = { envId: "strl/Toy-v0", normalisation: { stateMean: [0, 0, 0], stateStd: [1, 1, 1], rtgScale: 1 } };
let root: string;

before(async () => {
  await ready();
  root = await mkdtemp(join(tmpdir(), "strl-train-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

function base(model: TinyModel, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    model,
    sampleBatch: (rng: Rng, B: number) => toyBatch(rng, B, CFG),
    steps: 8,
    batchSize: 6,
    lr: 5e-3,
    warmupSteps: 2,
    weightDecay: 0.01,
    gradClip: 1,
    seed: 7,
    output: "quiet",
    ...extra,
  };
}

const losses = (h: LogRecord[]): number[] => h.map((r) => r["training/loss"] as number);
const weights = (m: TinyModel): number[][] => m.namedParameters().map(([, p]) => Array.from(p.dataSync()));

describe("train", () => {
  it("gives the same loss curve, digit for digit, for the same seed and data", async () => {
    const a = await train(base(new TinyModel(CFG)));
    const b = await train(base(new TinyModel(CFG)));
    assert.equal(a.history.length, 8);
    assert.deepEqual(losses(a.history).map(String), losses(b.history).map(String));
    const c = await train(base(new TinyModel(CFG), { seed: 8 }));
    assert.notDeepEqual(losses(c.history), losses(a.history), "another seed draws other batches");
  });

  it("logs step, loss, lr, grad norm and steps/s under DT-style keys", async () => {
    const { history } = await train(base(new TinyModel(CFG), { steps: 3, warmupSteps: 2, schedule: "constant" }));
    assert.deepEqual(history.map((r) => r.step), [1, 2, 3]);
    assert.deepEqual(history.map((r) => r["training/lr"]), [2.5e-3, 5e-3, 5e-3]);
    for (const r of history) {
      assert.ok((r["training/grad_norm"] as number) > 0);
      assert.ok((r["training/steps_per_s"] as number) > 0);
      assert.ok(Number.isFinite(r["training/loss"]));
    }
  });

  it("frees every tensor it creates", async () => {
    const model = new TinyModel(CFG);
    const before = memoryStats().numTensors;
    await train(base(model, { steps: 5, accumulate: 2, validation: () => [toyBatch(new Rng(1), 4, CFG)], evalEvery: 2 }));
    assert.equal(memoryStats().numTensors, before);
    model.dispose();
  });

  it("learns the toy task: validation accuracy rises well above chance", async () => {
    const model = new TinyModel({ ...CFG, dropout: 0 });
    const val = [toyBatch(new Rng(123), 64, CFG)];
    const r = await train(base(model, { steps: 150, batchSize: 16, lr: 1e-2, warmupSteps: 10, validation: () => val, evalEvery: 150 }));
    assert.ok(r.lastEval!["evaluation/accuracy"]! > 0.85, `accuracy ${r.lastEval!["evaluation/accuracy"]}`);
    const [first, last] = [r.history[0]!["training/loss"] as number, r.history[149]!["training/loss"] as number];
    assert.ok(last < first / 2, `loss ${first} -> ${last}`);
    model.dispose();
  });

  it("trains a continuous head and reports the validation MSE", async () => {
    const cont: TinyConfig = { ...CFG, continuous: true, dropout: 0 };
    const model = new TinyModel(cont);
    const val = [toyBatch(new Rng(5), 32, cont)];
    const r = await train({
      ...base(model, { steps: 60, batchSize: 16, lr: 1e-2, validation: () => val, evalEvery: 30 }),
      sampleBatch: (rng: Rng, B: number) => toyBatch(rng, B, cont),
    });
    const evals = r.history.filter((h) => "evaluation/mse" in h).map((h) => h["evaluation/mse"] as number);
    assert.equal(evals.length, 2);
    assert.ok(evals[1]! < evals[0]!, `MSE ${evals[0]} -> ${evals[1]}`);
    assert.equal(r.history[59]!["evaluation/accuracy"], undefined);
    model.dispose();
  });

  it("continues a killed run from its last checkpoint with the same losses and weights, bit for bit", async () => {
    const full = new TinyModel(CFG);
    const uninterrupted = await train(base(full, { steps: 8, checkpointEvery: 4, outDir: join(root, "full"), checkpointMeta: META }));

    const dir = join(root, "killed");
    const killed = new TinyModel(CFG);
    const kill = (r: LogRecord): void => {
      if (r.step === 6) throw new Error("killed");
    };
    await assert.rejects(train(base(killed, { steps: 8, checkpointEvery: 4, outDir: dir, checkpointMeta: META, onLog: kill })), /killed/);

    const resumed = new TinyModel({ ...CFG, seed: 999 }); // other initial weights and dropout stream: all restored
    const r = await train(base(resumed, { steps: 8, checkpointEvery: 4, outDir: dir, checkpointMeta: META, resumeFrom: join(dir, "checkpoint") }));
    assert.deepEqual(r.history.map((h) => h.step), [5, 6, 7, 8]);
    assert.deepEqual(losses(r.history), losses(uninterrupted.history).slice(4));
    assert.deepEqual(weights(resumed), weights(full));

    const log = (await readFile(join(dir, "log.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as LogRecord);
    assert.deepEqual(log.map((l) => l.step), [1, 2, 3, 4, 5, 6, 7, 8], "the killed run's step 5 is logged once");
    assert.deepEqual(losses(log), losses(uninterrupted.history));

    [full, killed, resumed].forEach((m) => m.dispose());
  });

  it("depends on the restored dropout stream when resuming", async () => {
    const dir = join(root, "half");
    const m1 = new TinyModel(CFG);
    const stop = new AbortController();
    const r1 = await train(base(m1, { steps: 8, outDir: dir, checkpointMeta: META, signal: stop.signal, onLog: (r) => r.step === 4 && stop.abort() }));
    assert.equal(r1.stopped, true);
    assert.equal(r1.step, 4);
    const trainerJson = JSON.parse(await readFile(join(dir, "checkpoint", "trainer.json"), "utf8"));
    assert.equal(trainerJson.step, 4);

    const exact = new TinyModel(CFG);
    const a = await train(base(exact, { steps: 8, resumeFrom: join(dir, "checkpoint") }));
    const disturbed = new TinyModel(CFG);
    let first = true;
    const b = await train(
      base(disturbed, {
        steps: 8,
        resumeFrom: join(dir, "checkpoint"),
        sampleBatch: (rng, B) => {
          if (first) disturbed.randomStreams()[0]![1].nextU32(); // one extra dropout draw after the restore
          first = false;
          return toyBatch(rng, B, CFG);
        },
      }),
    );
    const whole = await train(base(new TinyModel(CFG), { steps: 8 }));
    assert.deepEqual(losses(a.history), losses(whole.history).slice(4));
    assert.notDeepEqual(losses(b.history), losses(whole.history).slice(4));
    [m1, exact, disturbed].forEach((m) => m.dispose());
  });

  it("refuses to resume with other hyper-parameters, naming the key and both values", async () => {
    const dir = join(root, "hp");
    await train(base(new TinyModel(CFG), { steps: 2, outDir: dir, checkpointMeta: META }));
    await assert.rejects(
      train(base(new TinyModel(CFG), { steps: 2, lr: 1e-3, resumeFrom: join(dir, "checkpoint") })),
      /cannot resume from .*: lr was 0\.005 in the checkpoint but is 0\.001 now/,
    );
  });

  it("prints JSON lines equal to the logged records", async () => {
    const s: TextSink & { text: string } = { text: "", isTTY: false, write(t: string) { s.text += t; return true; } };
    const r = await train(base(new TinyModel(CFG), { steps: 3, output: "auto", sink: s }));
    assert.deepEqual(s.text.trim().split("\n").map((l) => JSON.parse(l)), r.history);
  });

  it("validates its options with errors naming the key and value", async () => {
    await assert.rejects(train(base(new TinyModel(CFG), { batchSize: 0 })), /train\.batchSize must be an integer >= 1, got 0/);
    await assert.rejects(train(base(new TinyModel(CFG), { schedule: "linear" as "cosine" })), /train\.schedule must be one of 'cosine', 'constant', got 'linear'/);
    await assert.rejects(train(base(new TinyModel(CFG), { outDir: join(root, "x") })), /outDir needs checkpointMeta/);
  });
});
