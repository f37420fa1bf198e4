import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ready, tensor } from "../../src/tensor/index.js";
import { clipByGlobalNorm, globalNorm } from "../../src/train/clip.js";

before(async () => {
  await ready();
});

describe("clipByGlobalNorm", () => {
  it("measures the norm over all gradients together", () => {
    const gs = [tensor([3, 4]), tensor([[12]])]; // sqrt(9 + 16 + 144) = 13
    assert.ok(Math.abs(globalNorm(gs) - 13) < 1e-6);
    gs.forEach((g) => g.dispose());
  });

  it("scales every gradient by maxNorm / (norm + 1e-6) when the norm is above maxNorm", () => {
    const gs = [tensor([3, 4]), tensor([[12]])];
    const { grads, norm } = clipByGlobalNorm(gs, 6.5);
    assert.ok(Math.abs(norm - 13) < 1e-6);
    const s = 6.5 / (13 + 1e-6);
    const a = grads[0]!.dataSync();
    const b = grads[1]!.dataSync();
    [3 * s, 4 * s].forEach((v, i) => assert.ok(Math.abs(a[i]! - v) < 1e-6));
    assert.ok(Math.abs(b[0]! - 12 * s) < 1e-6);
    assert.ok(gs.every((g) => g.isDisposed), "the unclipped inputs are disposed");
    grads.forEach((g) => g.dispose());
  });

  it("returns the same tensors when the norm is within the limit or clipping is off", () => {
    const gs = [tensor([0.3, 0.4])];
    assert.equal(clipByGlobalNorm(gs, 1).grads[0], gs[0]);
    assert.equal(clipByGlobalNorm(gs, 0).grads[0], gs[0]);
    gs[0]!.dispose();
  });

  it("refuses a non-finite norm with a message about divergence", () => {
    const gs = [tensor([Number.NaN, 1])];
    assert.throws(() => clipByGlobalNorm(gs, 1), /gradient norm is NaN: the loss diverged/);
    gs[0]!.dispose();
  });
});
