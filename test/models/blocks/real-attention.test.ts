import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Rng, grads, matMul, mul, ready, sum, tensor, type Tensor } from "../../../src/tensor/index.js";
import { BMM_LOOP_MIN_MACS, additiveMask, bmm } from "../../../src/models/blocks/real-attention.js";
import { assertClose } from "../../helpers.js";

describe("real attention helpers", () => {
  before(async () => {
    await ready();
  });

  // both paths of bmm (one BatchMatMul for small groups, per-group 2-D matmuls for large ones) against tfjs's own
  // matMul and its autodiff gradient
  for (const [G, M, N, P] of [
    [3, 4, 5, 6],
    [2, 60, 40, 50],
  ] as const) {
    it(`bmm equals matMul, values and gradients (G ${G}, ${M}x${N}x${P}, ${M * N * P >= BMM_LOOP_MIN_MACS ? "2-D loop" : "batched"})`, () => {
      const rng = new Rng(4);
      const a = tensor(rng.fillNormal(new Float32Array(G * M * N)), [G, M, N]);
      const b = tensor(rng.fillNormal(new Float32Array(G * N * P)), [G, N, P]);
      const w = tensor(rng.fillNormal(new Float32Array(G * M * P)), [G, M, P]);
      const f = (mm: (x: Tensor, y: Tensor) => Tensor) => grads((x: Tensor, y: Tensor) => sum(mul(mm(x, y), w)))([a, b]);
      assertClose(bmm(a, b).dataSync(), matMul(a, b).dataSync(), 1e-4, "values");
      const [ga, gb] = f(bmm);
      const [ra, rb] = f((x, y) => matMul(x, y));
      assertClose(ga!.dataSync(), ra!.dataSync(), 1e-4, "da");
      assertClose(gb!.dataSync(), rb!.dataSync(), 1e-4, "db");
    });
  }

  it("masks future keys and padding keys additively", () => {
    const m = additiveMask(Uint8Array.from([0, 1, 1]), 1, 3, true).dataSync();
    assert.deepEqual(Array.from(m), [-1e9, -1e9, -1e9, -1e9, 0, -1e9, -1e9, 0, 0]);
  });
});
