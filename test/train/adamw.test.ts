import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { memoryStats, ready, tensor, variable, zeros, type Variable } from "../../src/tensor/index.js";
import { AdamW } from "../../src/train/adamw.js";

before(async () => {
  await ready();
});

/** AdamW written out on plain float64 numbers, one element at a time (the reference). */
function reference(p0: number[], grads: number[][], lrs: number[], wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g, s) => {
    const t = s + 1;
    for (let i = 0; i < p.length; i++) {
      p[i] = p[i]! - lrs[s]! * wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
      const mHat = m[i]! / (1 - b1 ** t);
      const vHat = v[i]! / (1 - b2 ** t);
      p[i] = p[i]! - (lrs[s]! * mHat) / (Math.sqrt(vHat) + eps);
    }
  });
  return p;
}

function param(name: string, values: number[], shape: number[]): [string, Variable] {
  return [name, variable(tensor(values, shape))];
}

const near = (got: ArrayLike<number>, want: number[], tol: number): void => {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `[${i}] ${got[i]} vs ${want[i]}`);
};

describe("AdamW", () => {
  it("makes the first update by hand: decay, then a step of lr * g / (|g| + eps)", () => {
    const w = param("w", [1, 2, 3, 4], [2, 2]);
    const opt = new AdamW([w], { weightDecay: 0.01 });
    const g = tensor([0.5, -2, 1e-3, 0], [2, 2]);
    opt.update([g], 0.1);
    // t = 1: m_hat = g, v_hat = g^2, so the Adam step is 0.1 * g / (|g| + 1e-8) = +-0.1 (0 where g = 0);
    // weight decay first multiplies by 1 - 0.1 * 0.01 = 0.999.
    const want = [1 * 0.999 - 0.1, 2 * 0.999 + 0.1, 3 * 0.999 - 0.1 * (1e-3 / (1e-3 + 1e-8)), 4 * 0.999];
    near(w[1].dataSync(), want, 2e-6);
    g.dispose();
    opt.dispose();
    w[1].dispose();
  });

  it("matches a float64 reference over several updates with changing learning rates", () => {
    const w0 = [0.3, -0.7, 1.1, 0.05, -0.2, 0.9];
    const b0 = [0.1, -0.4, 0.25];
    const w = param("w", w0, [2, 3]);
    const b = param("b", b0, [3]);
    const opt = new AdamW([w, b], { weightDecay: 0.1, beta1: 0.8, beta2: 0.99, eps: 1e-6 });
    const gw = [[0.1, -0.2, 0.3, 0.0, 0.5, -1.0], [0.2, 0.2, -0.1, 0.4, -0.5, 0.3], [-0.3, 0.1, 0.0, 0.2, 0.1, 0.1]];
    const gb = [[1, -1, 0.5], [0.25, 0.5, -0.75], [0, 0.1, 0.2]];
    const lrs = [0.01, 0.05, 0.02];
    for (let s = 0; s < 3; s++) {
      const g1 = tensor(gw[s]!, [2, 3]);
      const g2 = tensor(gb[s]!, [3]);
      opt.update([g1, g2], lrs[s]!);
      g1.dispose();
      g2.dispose();
    }
    near(w[1].dataSync(), reference(w0, gw, lrs, 0.1, 0.8, 0.99, 1e-6), 1e-6);
    near(b[1].dataSync(), reference(b0, gb, lrs, 0, 0.8, 0.99, 1e-6), 1e-6); // rank 1: no decay
    assert.equal(opt.step, 3);
    opt.dispose();
    w[1].dispose();
    b[1].dispose();
  });

  it("decays matrices but leaves vectors alone when the gradient is zero", () => {
    const w = param("layer.weight", [2, -4], [1, 2]);
    const b = param("layer.bias", [2, -4], [2]);
    const opt = new AdamW([w, b], { weightDecay: 0.5 });
    assert.equal(opt.hasWeightDecay("layer.weight"), true);
    assert.equal(opt.hasWeightDecay("layer.bias"), false);
    const z1 = zeros([1, 2]);
    const z2 = zeros([2]);
    opt.update([z1, z2], 0.1); // factor 1 - 0.1 * 0.5 = 0.95; the Adam step is 0 / (0 + eps) = 0
    near(w[1].dataSync(), [1.9, -3.8], 1e-6);
    assert.deepEqual(Array.from(b[1].dataSync()), [2, -4]);
    [z1, z2, w[1], b[1]].forEach((t) => t.dispose());
    opt.dispose();
  });

  it("continues identically after exporting and importing its state", () => {
    const make = (): [string, Variable] => param("w", [0.5, -0.5, 1, 2], [2, 2]);
    const a = make();
    const optA = new AdamW([a], { weightDecay: 0.01 });
    const g1 = tensor([0.1, 0.2, -0.3, 0.4], [2, 2]);
    const g2 = tensor([-0.2, 0.05, 0.3, 0.1], [2, 2]);
    optA.update([g1], 0.01);
    const state = optA.exportState();
    assert.deepEqual([...state.tensors.keys()], ["w.exp_avg", "w.exp_avg_sq"]);
    const b = param("w", Array.from(a[1].dataSync()), [2, 2]);
    const optB = new AdamW([b], { weightDecay: 0.01 });
    optB.importState(state);
    optA.update([g2], 0.01);
    optB.update([g2], 0.01);
    assert.deepEqual(Array.from(b[1].dataSync()), Array.from(a[1].dataSync()));
    [g1, g2, a[1], b[1]].forEach((t) => t.dispose());
    optA.dispose();
    optB.dispose();
  });

  it("refuses a state with a missing moment, a wrong shape or an unknown tensor", () => {
    const w = param("w", [1, 2], [1, 2]);
    const opt = new AdamW([w]);
    const m = { shape: [1, 2], data: new Float32Array(2) };
    assert.throws(() => opt.importState({ step: 1, tensors: new Map([["w.exp_avg", m]]) }), /missing 'w\.exp_avg_sq'/);
    const bad = { shape: [2, 1], data: new Float32Array(2) };
    assert.throws(() => opt.importState({ step: 1, tensors: new Map([["w.exp_avg", bad], ["w.exp_avg_sq", m]]) }), /'w\.exp_avg' has shape \[2, 1\], parameter 'w' has \[1, 2\]/);
    assert.throws(() => opt.importState({ step: 1, tensors: new Map([["w.exp_avg", m], ["w.exp_avg_sq", m], ["x.exp_avg", m]]) }), /unknown tensor 'x\.exp_avg'/);
    opt.dispose();
    w[1].dispose();
  });

  it("creates no tensors that outlive an update", () => {
    const w = param("w", [1, 2, 3, 4], [2, 2]);
    const opt = new AdamW([w], { weightDecay: 0.1 });
    const g = tensor([1, 1, 1, 1], [2, 2]);
    const before = memoryStats().numTensors;
    for (let i = 0; i < 5; i++) opt.update([g], 0.01);
    assert.equal(memoryStats().numTensors, before);
    g.dispose();
    opt.dispose();
    w[1].dispose();
  });
});
