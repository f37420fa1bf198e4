import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng, memoryStats, ready } from "../../src/tensor/index.js";
import type { ModelBatch } from "../../src/models/types.js";
import { accumulateGradients } from "../../src/train/grads.js";
import { TinyModel, toyBatch, type TinyConfig } from "./tiny-model.js";

before(async () => {
  await ready();
});

const CFG: TinyConfig = { obsDim: 3, actions: 3, d: 8, K: 5, dropout: 0, seed: 3 };

/** Stacks batches along B. */
function concat(bs: ModelBatch[]): ModelBatch {
  const cat = <T extends Float32Array | Int32Array>(xs: T[]): T => {
    const out = new (xs[0]!.constructor as { new (n: number): T })(xs.reduce((a, x) => a + x.length, 0));
    let o = 0;
    for (const x of xs) {
      out.set(x, o);
      o += x.length;
    }
    return out;
  };
  return {
    B: bs.reduce((a, b) => a + b.B, 0),
    K: bs[0]!.K,
    states: cat(bs.map((b) => b.states)),
    rtg: cat(bs.map((b) => b.rtg)),
    timesteps: cat(bs.map((b) => b.timesteps)),
    actions: cat(bs.map((b) => b.actions as Int32Array)),
    prevActions: cat(bs.map((b) => b.prevActions as Int32Array)),
    mask: cat(bs.map((b) => b.mask)),
  };
}

describe("accumulateGradients", () => {
  it("equals the gradient of one batch made of all micro-batches, even with unequal padding", () => {
    const model = new TinyModel(CFG);
    const vars = model.namedParameters().map(([, p]) => p);
    const rng = new Rng(8);
    const parts = [toyBatch(rng, 3, CFG), toyBatch(rng, 2, CFG), toyBatch(rng, 4, CFG)];
    const counts = parts.map((b) => b.mask.reduce((a, x) => a + x, 0));
    assert.ok(new Set(counts).size > 1, "the micro-batches hold different numbers of real steps");
    const acc = accumulateGradients(model, vars, parts);
    const whole = accumulateGradients(model, vars, [concat(parts)]);
    assert.ok(Math.abs(acc.loss - whole.loss) < 1e-6, `${acc.loss} vs ${whole.loss}`);
    acc.grads.forEach((g, i) => {
      const a = g.dataSync();
      const b = whole.grads[i]!.dataSync();
      for (let j = 0; j < a.length; j++) assert.ok(Math.abs(a[j]! - b[j]!) < 1e-6, `grad ${i}[${j}]: ${a[j]} vs ${b[j]}`);
    });
    [...acc.grads, ...whole.grads].forEach((g) => g.dispose());
    model.dispose();
  });

  it("leaves no tensor behind except the gradients it returns", () => {
    const model = new TinyModel(CFG);
    const vars = model.namedParameters().map(([, p]) => p);
    const rng = new Rng(1);
    const parts = [toyBatch(rng, 2, CFG), toyBatch(rng, 2, CFG)];
    const before = memoryStats().numTensors;
    const { grads } = accumulateGradients(model, vars, parts);
    assert.equal(memoryStats().numTensors, before + vars.length);
    grads.forEach((g) => g.dispose());
    model.dispose();
  });

  it("refuses a batch with no real step", () => {
    const model = new TinyModel(CFG);
    const b = toyBatch(new Rng(1), 2, CFG);
    b.mask.fill(0);
    assert.throws(() => accumulateGradients(model, model.parameters(), [b]), /holds no real \(mask = 1\) step/);
    model.dispose();
  });
});
