/**
 * The shared model suite (like d3rlpy's algorithm tester): every model in `MODELS`, with a discrete and a
 * continuous action head, goes through the whole life of a model at a tiny size, with the real trainer, the real
 * checkpoint files and the real model factory:
 *
 *   train 3 of 6 steps, then stop (a resumable checkpoint is written) -> load the checkpoint into a model built
 *   from its config.json -> identical logits and actions (`forward`, `getAction`) -> resume training from the
 *   checkpoint: the last 3 losses and the final weights equal those of an uninterrupted 6-step run, bit for bit.
 *
 * A new model (or a setting worth its own run) is tested by adding one row to `MODELS`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryStats, ready } from "../../src/tensor/index.js";
import { WindowSampler } from "../../src/data/windows.js";
import { returnsToGo, type Dataset } from "../../src/data/trajectory.js";
import { MODEL_KINDS, configFromJSON, createModel, type ActionHead, type AnyModel, type History } from "../../src/models/index.js";
import { loadModel, normalisationOf, transposedNames } from "../../src/checkpoint/index.js";
import { train, type TrainOptions } from "../../src/train/trainer.js";
import type { LogRecord } from "../../src/train/log.js";
import { CONTINUOUS, DISCRETE, OBS, allWindows, tinyDataset } from "./fixtures.js";

const K = 4;
const RTG_SCALE = 5;
const TRANSFORMER = { maxTimestep: 16, dModel: 8, nBlocks: 1, nHeads: 2, dropout: 0.1 };

/** One row per model: its config fields besides what the data sets (obsDim, head, statistics, seed). */
const MODELS: Array<{ name: string; fields: Record<string, unknown> }> = [
  { name: "strl", fields: { kind: "strl", ...TRANSFORMER, nBlocks: 2, T: 2 } },
  { name: "strl, spike-driven attention", fields: { kind: "strl", ...TRANSFORMER, T: 2, attention: "spike-driven" } },
  { name: "strl, paper mode", fields: { kind: "strl", ...TRANSFORMER, T: 2, causal: false } },
  { name: "ann-strl", fields: { kind: "ann-strl", ...TRANSFORMER } },
  { name: "dt", fields: { kind: "dt", ...TRANSFORMER } },
  { name: "bc", fields: { kind: "bc", hidden: [8], pastStates: 1, dropout: 0.1 } },
];

let root: string;
before(async () => {
  await ready();
  root = await mkdtemp(join(tmpdir(), "strl-model-suite-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const losses = (h: LogRecord[]): number[] => h.map((r) => r["training/loss"] as number);
const weights = (m: AnyModel): Float32Array[] => m.namedParameters().map(([, p]) => p.dataSync() as Float32Array);

/** The first `n` steps of episode 0, raw, as evaluation collects them. */
function historyOf(ds: Dataset, n: number): History {
  const ep = ds.trajectories[0]!;
  const dim = ds.actDim;
  return {
    observations: Array.from({ length: n }, (_, t) => ep.observations.slice(t * OBS, (t + 1) * OBS)),
    actions: Array.from({ length: n - 1 }, (_, t) => (ds.actionSpace.kind === "discrete" ? ep.actions[t]! : ep.actions.slice(t * dim, (t + 1) * dim))),
    returnsToGo: Array.from(returnsToGo(ep.rewards).slice(0, n)),
    timesteps: Array.from({ length: n }, (_, t) => t),
  };
}

/** Predictions over every window of the dataset, in eval mode. */
function logits(model: AnyModel, ds: Dataset): Float32Array {
  model.eval();
  const preds = model.forward(allWindows(ds, K)).preds;
  const v = preds.dataSync() as Float32Array;
  preds.dispose();
  return v;
}

describe("model suite: train -> stop -> load -> act -> resume, for every model and action kind", () => {
  it("has a row for every model kind", () => {
    assert.deepEqual([...new Set(MODELS.map((m) => m.fields.kind))].sort(), [...MODEL_KINDS].sort());
  });

  for (const { name, fields } of MODELS) {
    for (const actions of ["discrete", "continuous"] as const) {
      it(`${name} (${actions})`, async () => {
        const head: ActionHead = actions === "discrete" ? DISCRETE : CONTINUOUS;
        const ds = tinyDataset(actions);
        const stats = new WindowSampler(ds, { contextLength: K, rtgScale: RTG_SCALE, numTimesteps: 16 }).stats;
        const json = { ...fields, obsDim: OBS, head, contextLength: K, stateMean: Array.from(stats.mean), stateStd: Array.from(stats.std), rtgScale: RTG_SCALE };
        const make = (seed: number): AnyModel => createModel(configFromJSON({ ...json, seed }));
        const sampler = new WindowSampler(ds, { contextLength: K, rtgScale: RTG_SCALE, numTimesteps: 16, stats });
        const meta = { envId: "strl/Tiny-v0", normalisation: normalisationOf(stats, RTG_SCALE) };
        const opts = (model: AnyModel, extra: Partial<TrainOptions> = {}): TrainOptions => ({
          model,
          sampleBatch: (rng, B) => sampler.sample(B, rng),
          steps: 6,
          batchSize: 4,
          accumulate: 2,
          lr: 3e-3,
          warmupSteps: 2,
          seed: 7,
          output: "quiet",
          ...extra,
        });
        const dir = join(root, `${name.replace(/[^a-z]+/g, "-")}-${actions}`);

        // the uninterrupted run, and one stopped after step 3 (the stop writes a resumable checkpoint)
        const whole = make(1);
        const full = await train(opts(whole));
        assert.equal(full.history.length, 6);
        assert.ok(losses(full.history).every(Number.isFinite), `losses ${losses(full.history)}`);
        const stopped = make(1);
        const before = memoryStats().numTensors;
        const stop = new AbortController();
        const part = await train(opts(stopped, { outDir: dir, checkpointMeta: meta, signal: stop.signal, onLog: (r) => void (r.step === 3 && stop.abort()) }));
        assert.equal(memoryStats().numTensors, before, "training leaked tensors");
        assert.equal(part.step, 3);
        assert.deepEqual(losses(part.history), losses(full.history).slice(0, 3));

        // load: a model built by the factory from config.json, with identical logits and actions
        const { model: loaded, checkpoint } = await loadModel(join(dir, "checkpoint"), { expect: { obsDim: OBS, action: head } });
        const restored = loaded as AnyModel;
        assert.equal(restored.kind, fields.kind);
        assert.deepEqual(checkpoint.config.tensors.transposed, transposedNames(restored));
        const want = logits(stopped, ds);
        assert.deepEqual(logits(restored, ds), want);
        assert.notDeepEqual(logits(make(2), ds), want, "another init gives other logits: the equality above is not vacuous");
        for (const n of [1, 3, 5]) {
          const h = historyOf(ds, n);
          assert.deepEqual(restored.getAction(h), stopped.getAction(h), `action after ${n} steps`);
        }

        // resume from the checkpoint into a model with other initial weights and dropout stream: all restored
        const resumed = make(999);
        const rest = await train(opts(resumed, { outDir: dir, checkpointMeta: meta, resumeFrom: join(dir, "checkpoint") }));
        assert.deepEqual(rest.history.map((r) => r.step), [4, 5, 6]);
        assert.deepEqual(losses(rest.history), losses(full.history).slice(3));
        assert.deepEqual(weights(resumed), weights(whole));

        [whole, stopped, restored, resumed].forEach((m) => m.dispose());
      });
    }
  }
});
