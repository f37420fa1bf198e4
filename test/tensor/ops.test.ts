import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LayerNorm,
  Linear,
  Rng,
  add,
  backendName,
  dispose,
  dropout,
  embeddingLookup,
  grad,
  grads,
  linear,
  loadAddon,
  matMul,
  mean,
  memoryStats,
  mul,
  oneHot,
  ones,
  ready,
  relu,
  reshape,
  square,
  sub,
  sum,
  tensor,
  tidy,
  variableGrads,
  zeros,
  type Scalar,
  type Tensor,
} from "../../src/tensor/index.js";
import { assertClose } from "../helpers.js";

before(async () => {
  await ready();
});

describe("backend", () => {
  it("runs on STRL_ENGINE's engine, else native when the addon is built, else wasm", () => {
    const want = process.env.STRL_ENGINE || (loadAddon().addon ? "native" : "wasm");
    assert.equal(backendName(), want);
  });

  it("refuses to switch backend once started", async () => {
    await assert.rejects(ready({ backend: "cpu" }), /already started; cannot switch/);
  });
});

describe("linear", () => {
  it("computes x·W + b on a hand-sized example", () => {
    const x = tensor([[1, 2]]); // [1, 2]
    const w = tensor([[1, 0, -1], [2, 1, 0.5]]); // [2, 3]
    const b = tensor([0.5, 0, 1]);
    assertClose(linear(x, w, b).dataSync(), [5.5, 2, 1]);
  });

  it("has the same gradients as tfjs's own matMul gradient, for rank-3 inputs", () => {
    const r = new Rng(0);
    const x = tensor(r.fillNormal(new Float32Array(2 * 3 * 5)), [2, 3, 5]); // [2, 3, 5]
    const w = tensor(r.fillNormal(new Float32Array(5 * 4)), [5, 4]); // [5, 4]
    const b = tensor(r.fillNormal(new Float32Array(4)), [4]);
    const c = tensor(r.fillNormal(new Float32Array(2 * 3 * 4)), [2, 3, 4]); // loss weights
    const ours = grads((xx: Tensor, ww: Tensor, bb: Tensor) => sum(mul(linear(xx, ww, bb), c)))([x, w, b]);
    const ref = grads((xx: Tensor, ww: Tensor, bb: Tensor) =>
      sum(mul(add(reshape(matMul(reshape(xx, [6, 5]), ww), [2, 3, 4]), bb), c)),
    )([x, w, b]);
    for (let i = 0; i < 3; i++) assertClose(ours[i]!.dataSync(), ref[i]!.dataSync(), 1e-5, `grad ${i}`);
  });

  it("matches a finite-difference gradient of the weight", () => {
    const x = tensor([[0.3, -1.2], [2.0, 0.7]]);
    const wv = [0.5, -0.25, 1.5, 0.75];
    const loss = (wArr: number[]) => sum(square(linear(x, tensor(wArr, [2, 2])))).dataSync()[0]!;
    const g = grad((w: Tensor) => sum(square(linear(x, w))))(tensor(wv, [2, 2])).dataSync();
    const h = 1e-2;
    for (let i = 0; i < 4; i++) {
      const up = [...wv];
      const dn = [...wv];
      up[i]! += h;
      dn[i]! -= h;
      // The loss is quadratic in w, so the central difference is exact up to float32 rounding.
      assert.ok(Math.abs((loss(up) - loss(dn)) / (2 * h) - g[i]!) < 2e-3, `w[${i}]`);
    }
  });

  it("rejects mismatched shapes with a message naming them", () => {
    assert.throws(() => linear(zeros([2, 3]), zeros([4, 5])), /input last dim 3 does not match weight \[4, 5\]/);
    assert.throws(() => linear(zeros([2, 4]), zeros([4, 5]), zeros([3])), /bias shape/);
  });
});

describe("embeddingLookup", () => {
  it("gathers rows and scatter-adds gradients like a one-hot matmul", () => {
    const table = tensor([[1, 2], [3, 4], [5, 6]]); // [3, 2]
    const idx = new Int32Array([2, 0, 2, 1]);
    assertClose(embeddingLookup(table, idx, [2, 2]).dataSync(), [5, 6, 1, 2, 5, 6, 3, 4]);
    const c = tensor([[[1, 0], [0, 1]], [[2, 2], [-1, 3]]]); // [2, 2, 2]
    const ours = grad((t: Tensor) => sum(mul(embeddingLookup(t, idx, [2, 2]), c)))(table);
    const hot = oneHot(tensor(idx, [idx.length], "int32"), 3).toFloat(); // [4, 3]
    const ref = grad((t: Tensor) => sum(mul(reshape(matMul(hot, t), [2, 2, 2]), c)))(table);
    assertClose(ours.dataSync(), ref.dataSync());
    // By hand: row 2 gets [1,0] + [2,2] = [3,2]; row 0 gets [0,1]; row 1 gets [-1,3].
    assertClose(ours.dataSync(), [0, 1, -1, 3, 3, 2]);
  });

  it("rejects an out-of-range index, naming it", () => {
    assert.throws(() => embeddingLookup(zeros([3, 2]), new Int32Array([0, 3]), [2]), /index 3 at position 1 is outside \[0, 2\]/);
  });
});

describe("layers", () => {
  it("normalises the last axis in LayerNorm", () => {
    const ln = new LayerNorm(4);
    const y = ln.apply(tensor([[1, 2, 3, 4]])).dataSync();
    // mean 2.5, variance 1.25 -> (x - 2.5) / sqrt(1.25 + 1e-5)
    const s = Math.sqrt(1.25 + 1e-5);
    assertClose(y, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], 1e-5);
    ln.dispose();
  });

  it("initialises identically for the same seed", () => {
    const a = new Linear(new Rng(9), 4, 3);
    const b = new Linear(new Rng(9), 4, 3);
    assert.deepEqual(Array.from(a.weight.dataSync()), Array.from(b.weight.dataSync()));
    assert.deepEqual(a.namedParameters().map(([n]) => n), ["weight", "bias"]);
    assert.equal(a.numParams(), 15);
    a.dispose();
    b.dispose();
  });

  it("drops with a seeded mask and rescales the kept values", () => {
    const x = ones([1000]);
    const y = dropout(x, 0.25, new Rng(4), true).dataSync();
    const zeros = y.filter((v) => v === 0).length;
    assert.ok(zeros > 200 && zeros < 300, `zeros ${zeros}`);
    assert.ok(y.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
    assert.deepEqual(Array.from(dropout(x, 0.25, new Rng(4), true).dataSync()), Array.from(y));
    assert.equal(dropout(x, 0.25, new Rng(4), false), x);
  });
});

describe("memory hygiene", () => {
  it("leaks no tensors over a training step of Linear -> Linear with SGD", () => {
    const rng = new Rng(1);
    const l1 = new Linear(rng, 4, 8);
    const l2 = new Linear(rng, 8, 2);
    const vars = [...l1.parameters(), ...l2.parameters()];
    const x = tensor(rng.fillNormal(new Float32Array(16 * 4)), [16, 4]);
    const step = () => {
      const { value, grads } = variableGrads(() => mean(square(l2.apply(relu(l1.apply(x))))) as Scalar, vars);
      tidy(() => {
        for (const v of vars) v.assign(sub(v, mul(grads[v.name]!, 0.1)));
      });
      value.dispose();
      dispose(grads);
    };
    step();
    const before = memoryStats().numTensors;
    for (let i = 0; i < 5; i++) step();
    assert.equal(memoryStats().numTensors, before);
  });
});

describe("Module", () => {
  it("leaves no tensor behind once built and disposed", () => {
    const before = memoryStats().numTensors;
    const l = new Linear(new Rng(0), 3, 2);
    assert.equal(memoryStats().numTensors, before + 2);
    l.dispose();
    assert.equal(memoryStats().numTensors, before);
  });
});
