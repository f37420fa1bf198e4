import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Module, memoryStats, ready, scalar, tensor, type Tensor } from "../../src/tensor/index.js";
import type { ActionHead, ModelBatch, ModelOutput, PolicyModel } from "../../src/models/types.js";
import { evaluateOffline, realSteps } from "../../src/train/validate.js";

before(async () => {
  await ready();
});

/** A parameter-free model that returns fixed predictions and records the mode it ran in. */
class FixedModel extends Module implements PolicyModel {
  readonly kind = "bc" as const;
  readonly config = { toJSON: () => ({}) };
  readonly contextLength = 3;
  modes: boolean[] = [];
  constructor(readonly head: ActionHead, private readonly preds: number[], private readonly shape: number[]) {
    super();
  }
  forward(): ModelOutput {
    this.modes.push(this.training);
    return { preds: tensor(this.preds, this.shape) };
  }
  loss(): Tensor {
    return scalar(0);
  }
  opRecords(): [] {
    return [];
  }
}

function batch(actions: Int32Array | Float32Array, mask: number[]): ModelBatch {
  const B = 1;
  const K = 3;
  return { B, K, states: new Float32Array(K), rtg: new Float32Array(K), timesteps: new Int32Array(K), actions, prevActions: new Int32Array(K), mask: new Float32Array(mask) };
}

describe("evaluateOffline", () => {
  it("counts accuracy and cross-entropy over real steps only", () => {
    // 3 steps x 2 actions; step 0 is padding (its wrong prediction must not count)
    const logits = [5, 0, /**/ 0, Math.log(3), /**/ 2, 1];
    const m = new FixedModel({ kind: "discrete", n: 2 }, logits, [1, 3, 2]);
    const r = evaluateOffline(m, [batch(new Int32Array([1, 1, 1]), [0, 1, 1])]);
    assert.equal(r.steps, 2);
    assert.equal(r.accuracy, 0.5); // step 1: argmax 1 = target; step 2: argmax 0 != 1
    // CE: step 1: -log(3/4); step 2: -log(e^1 / (e^2 + e^1)) = log(1 + e)
    const want = (-Math.log(3 / 4) + Math.log(1 + Math.E)) / 2;
    assert.ok(Math.abs(r.loss - want) < 1e-6, `${r.loss} vs ${want}`);
  });

  it("weights batches by their number of real steps", () => {
    const m = new FixedModel({ kind: "discrete", n: 2 }, [1, 0, 1, 0, 1, 0], [1, 3, 2]); // always predicts 0
    const r = evaluateOffline(m, [batch(new Int32Array([0, 0, 0]), [1, 1, 1]), batch(new Int32Array([1, 1, 1]), [0, 0, 1])]);
    assert.equal(r.steps, 4);
    assert.equal(r.accuracy, 3 / 4);
  });

  it("computes the MSE per real step and action dimension for continuous heads", () => {
    const head: ActionHead = { kind: "continuous", dim: 2, low: [-1, -1], high: [1, 1] };
    const m = new FixedModel(head, [9, 9, 0.5, 0, 0, -1], [1, 3, 2]);
    const target = new Float32Array([0, 0, 0, 0, 0.5, -0.5]);
    const r = evaluateOffline(m, [batch(target, [0, 1, 1])]);
    const want = (0.25 + 0 + 0.25 + 0.25) / 4;
    assert.ok(Math.abs(r.mse! - want) < 1e-7);
    assert.equal(r.loss, r.mse);
    assert.equal(r.accuracy, undefined);
  });

  it("runs in eval mode and restores the training flag", () => {
    const m = new FixedModel({ kind: "discrete", n: 2 }, [1, 0, 1, 0, 1, 0], [1, 3, 2]);
    m.train();
    evaluateOffline(m, [batch(new Int32Array(3), [1, 1, 1])]);
    assert.deepEqual(m.modes, [false]);
    assert.equal(m.training, true);
  });

  it("refuses batches that hold no real step and leaks no tensor", () => {
    const m = new FixedModel({ kind: "discrete", n: 2 }, [1, 0, 1, 0, 1, 0], [1, 3, 2]);
    const before = memoryStats().numTensors;
    evaluateOffline(m, [batch(new Int32Array(3), [1, 1, 1])]);
    assert.equal(memoryStats().numTensors, before);
    assert.throws(() => evaluateOffline(m, [batch(new Int32Array(3), [0, 0, 0])]), /hold no real \(mask = 1\) step/);
    assert.equal(realSteps(batch(new Int32Array(3), [0, 1, 1])), 2);
  });
});
