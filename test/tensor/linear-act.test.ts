import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Rng,
  activation,
  add,
  backendName,
  dispose,
  grads,
  linearAct,
  loadAddon,
  matMul,
  mul,
  nativeEngine,
  ready,
  sum,
  tensor,
  timeNativeCalls,
  type Activation,
  type Tensor,
} from "../../src/tensor/index.js";
import { assertClose } from "../helpers.js";

before(async () => {
  await ready();
});

/** act(x·w + b) and the gradients of sum(y ⊙ c) for x, w, b through `op`, with the native calls it made. */
function run(op: (x: Tensor, w: Tensor, b: Tensor) => Tensor, x: Tensor, w: Tensor, b: Tensor, c: Tensor) {
  const timer = nativeEngine() ? timeNativeCalls() : undefined;
  const calls = new Set<string>();
  try {
    const y = op(x, w, b).dataSync() as Float32Array;
    const g = grads((xx: Tensor, ww: Tensor, bb: Tensor) => sum(mul(op(xx, ww, bb), c)))([x, w, b]);
    return { y, g: g.map((t) => t.dataSync() as Float32Array), calls };
  } finally {
    for (const t of timer?.stop() ?? []) calls.add(t.name);
  }
}

/** The composed ops the fused one replaces: product, bias add, activation, each its own tfjs kernel. */
const composed = (act: Activation) => (x: Tensor, w: Tensor, b: Tensor) => {
  const [n, i] = [x.size / x.shape[x.rank - 1]!, x.shape[x.rank - 1]!];
  const y2 = add(matMul(x.rank === 2 ? x : x.reshape([n, i]), w), b); // [N, O]
  const y = x.rank === 2 ? y2 : y2.reshape([...x.shape.slice(0, -1), w.shape[1]!]);
  return activation(y, act);
};

const fused = (act: Activation) => (x: Tensor, w: Tensor, b: Tensor) => linearAct(x, w, b, act);

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  assert.equal(ua.length, ub.length, `${what}: length`);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) assert.fail(`${what}[${i}]: ${a[i]} != ${b[i]}`);
}

const GELU_C = Math.sqrt(2 / Math.PI);
const gelu64 = (z: number) => 0.5 * z * (1 + Math.tanh(GELU_C * (z + 0.044715 * z ** 3)));

function randomCase(rng: Rng, lead: number[], I: number, O: number) {
  const n = lead.reduce((a, c) => a * c, 1);
  const x = tensor(rng.fillUniform(new Float32Array(n * I), -1, 1), [...lead, I]); // [..., I]
  const w = tensor(rng.fillUniform(new Float32Array(I * O), -1, 1), [I, O]); // [I, O]
  const b = tensor(rng.fillUniform(new Float32Array(O), -1, 1), [O]); // [O]
  const c = tensor(rng.fillUniform(new Float32Array(n * O), -1, 1), [...lead, O]); // [..., O]
  return { x, w, b, c, all: [x, w, b, c] };
}

describe("linearAct (a Linear layer and its activation, fused on the native engine)", () => {
  it("gives the hand-worked relu layer and its three gradients", () => {
    const x = tensor(new Float32Array([1, -2, 0.5, 0, 1, 1]), [2, 3]); // [2, 3]
    const w = tensor(new Float32Array([1, 0, 0.5, -1, 2, 1]), [3, 2]); // [3, 2]
    const b = tensor(new Float32Array([0.25, -0.5]), [2]); // [2]
    const c = tensor(new Float32Array([1, 2, 3, 4]), [2, 2]); // [2, 2]
    const r = run(fused("relu"), x, w, b, c);
    // z = x·w + b = [[1.25, 2], [2.75, -0.5]]; relu zeroes the last
    assert.deepEqual(Array.from(r.y), [1.25, 2, 2.75, 0]);
    // dz = c ⊙ (z > 0) = [[1, 2], [3, 0]]: dx = dz·wᵀ, dW = xᵀ·dz, db = column sums of dz
    assert.deepEqual(Array.from(r.g[0]!), [1, -1.5, 4, 3, 1.5, 6]);
    assert.deepEqual(Array.from(r.g[1]!), [1, 2, 1, -4, 3.5, 1]);
    assert.deepEqual(Array.from(r.g[2]!), [4, 2]);
    const none = run(fused("none"), x, w, b, c);
    assert.deepEqual(Array.from(none.y), [1.25, 2, 2.75, -0.5]);
    assert.deepEqual(Array.from(none.g[2]!), [4, 6]);
    dispose([x, w, b, c]);
  });

  it("is one native call forward and one backward on the native engine, the composed kernels elsewhere", () => {
    const { x, w, b, c, all } = randomCase(new Rng(3), [2, 3], 5, 4);
    const r = run(fused("relu"), x, w, b, c);
    if (backendName() === "native") {
      assert.deepEqual([...r.calls].filter((n) => n.startsWith("linear")).sort(), ["linearBackward", "linearForward"]);
      assert.equal(r.calls.has("gemm"), false, "no separate product");
    } else {
      assert.equal(r.calls.size, 0);
    }
    dispose(all);
  });

  it("without an activation and with relu, equals the composed ops bit for bit on native (values and gradients, odd shapes)", () => {
    const rng = new Rng(11);
    for (const act of ["none", "relu"] as const) {
      for (const [lead, I, O] of [[[1], 1, 1], [[7], 5, 3], [[2, 3, 11], 13, 300], [[0], 4, 6]] as const) {
        const { x, w, b, c, all } = randomCase(rng, [...lead], I, O);
        const ours = run(fused(act), x, w, b, c);
        const ref = run(composed(act), x, w, b, c);
        const what = `${act}, x [${lead}, ${I}], W [${I}, ${O}]`;
        // on wasm linear's gradient transposes explicitly (ops.ts), tfjs's matMul gradient does not: rounding apart
        const same = backendName() === "native" ? sameBits : (a: Float32Array, e: Float32Array, m: string) => assertClose(a, e, 1e-5, m);
        same(ours.y, ref.y, `y, ${what}`);
        for (const [k, name] of ["dx", "dW", "db"].entries()) same(ours.g[k]!, ref.g[k]!, `${name}, ${what}`);
        dispose(all);
      }
    }
  });

  it("gelu: values equal the float64 formula and the gradient its central differences", () => {
    const rng = new Rng(5);
    const { x, w, b, c, all } = randomCase(rng, [9], 6, 7);
    const ours = run(fused("gelu"), x, w, b, c);
    const [xv, wv, bv, cv] = [x, w, b, c].map((t) => t.dataSync() as Float32Array) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const z = new Float64Array(9 * 7); // [9, 7] pre-activation in float64
    for (let r = 0; r < 9; r++) {
      for (let o = 0; o < 7; o++) {
        let s = bv[o]!;
        for (let i = 0; i < 6; i++) s += xv[r * 6 + i]! * wv[i * 7 + o]!;
        z[r * 7 + o] = s;
      }
    }
    assertClose(ours.y, Array.from(z, gelu64), 2e-6, "y");
    // db_o = Σ_r c_ro gelu'(z_ro), gelu' by central differences of the float64 formula
    const h = 1e-5;
    const db = Array.from({ length: 7 }, (_, o) => {
      let s = 0;
      for (let r = 0; r < 9; r++) s += cv[r * 7 + o]! * (gelu64(z[r * 7 + o]! + h) - gelu64(z[r * 7 + o]! - h)) / (2 * h);
      return s;
    });
    assertClose(ours.g[2]!, db, 2e-5, "db vs finite differences");
    // and the whole op on the native engine against the composed ops (float32 rounding apart)
    const ref = run(composed("gelu"), x, w, b, c);
    assertClose(ours.y, ref.y, 1e-6, "y vs composed");
    for (const [k, name] of ["dx", "dW", "db"].entries()) assertClose(ours.g[k]!, ref.g[k]!, 1e-5, `${name} vs composed`);
    dispose(all);
  });

  it("keeps NaN through relu and its gradient, as the composed ops do", () => {
    const x = tensor(new Float32Array([NaN, 1]), [2, 1]); // [2, 1]
    const w = tensor(new Float32Array([1]), [1, 1]);
    const b = tensor(new Float32Array([0]), [1]);
    const c = tensor(new Float32Array([1, 1]), [2, 1]);
    const r = run(fused("relu"), x, w, b, c);
    assert.ok(Number.isNaN(r.y[0]!));
    assert.equal(r.y[1], 1);
    assert.ok(Number.isNaN(r.g[2]![0]!), "db sums a NaN");
    dispose([x, w, b, c]);
  });
});

describe("native linearForward / linearBackward", { skip: loadAddon().addon ? false : "the native addon is not built" }, () => {
  const addon = loadAddon().addon!;
  const threads0 = addon?.threads();
  after(() => addon?.setThreads(threads0));

  it("1 and 2 threads give the same bits (several row tasks and column tasks)", () => {
    const rng = new Rng(9);
    const [rows, Din, Dout] = [300, 70, 600];
    const x = rng.fillUniform(new Float32Array(rows * Din), -1, 1);
    const W = rng.fillUniform(new Float32Array(Din * Dout), -1, 1);
    const b = rng.fillUniform(new Float32Array(Dout), -1, 1);
    const dy = rng.fillUniform(new Float32Array(rows * Dout), -1, 1);
    const go = (act: number) => {
      const y = new Float32Array(rows * Dout);
      const z = new Float32Array(act === 2 ? rows * Dout : 0);
      addon.linearForward(x, W, b, act, y, z, rows, Din, Dout);
      const [dx, dW, db] = [new Float32Array(rows * Din), new Float32Array(Din * Dout), new Float32Array(Dout)];
      addon.linearBackward(dy, x, W, act === 0 ? new Float32Array(0) : act === 1 ? y : z, act, dx, dW, db, rows, Din, Dout);
      return [y, dx, dW, db];
    };
    for (const act of [0, 1, 2]) {
      addon.setThreads(1);
      const one = go(act);
      addon.setThreads(2);
      const two = go(act);
      for (const [k, name] of ["y", "dx", "dW", "db"].entries()) sameBits(one[k]!, two[k]!, `${name}, act ${act}`);
    }
  });

  it("refuses a bad activation code, lengths that do not fit and outputs sharing memory, naming the problem", () => {
    const f = (n: number) => new Float32Array(n);
    const none = f(0);
    assert.throws(() => addon.linearForward(f(6), f(6), f(2), 3, f(4), none, 2, 3, 2), /linearForward: act must be 0 \(none\), 1 \(relu\) or 2 \(gelu\), got 3/);
    assert.throws(() => addon.linearForward(f(5), f(6), f(2), 0, f(4), none, 2, 3, 2), /linearForward: array lengths do not fit/);
    assert.throws(() => addon.linearForward(f(6), f(6), f(2), 2, f(4), none, 2, 3, 2), /z \[rows, Dout\] for gelu/);
    const buf = f(10);
    assert.throws(() => addon.linearForward(buf.subarray(0, 6), f(6), f(2), 0, buf.subarray(4, 8), none, 2, 3, 2), /must not share memory/);
    assert.throws(() => addon.linearBackward(f(4), f(6), f(6), none, 0, f(6), f(6), f(3), 2, 3, 2), /linearBackward: array lengths do not fit/);
    const dy = f(4);
    assert.throws(() => addon.linearBackward(dy, f(6), f(6), none, 0, f(6), f(6), dy.subarray(0, 2), 2, 3, 2), /an output shares memory with an input/);
    assert.throws(() => addon.linearForward(f(6), f(6), f(2), 0, f(4), none, -1, 3, 2), /rows must be in \[0, 2\^31\)/);
  });
});
