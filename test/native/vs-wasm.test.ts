/**
 * The native engine against the wasm engine in one process (tfjs keeps both backends; each op's inputs are made
 * on the backend that runs it), on random shapes with odd and size-1 dimensions, empty tensors, both transposes
 * and broadcasting; and native gradients against central finite differences of the native forward pass.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng, backendName, loadAddon, nativeEngineOf, ready } from "../../src/tensor/index.js";
import { tf } from "../../src/tensor/tf.js";
import { layerNormFused } from "../../src/tensor/native/fused.js";
import { assertClose } from "../helpers.js";

let native = false;

before(async () => {
  await ready();
  native = backendName() === "native";
});

type Op = (xs: tf.Tensor[]) => tf.Tensor;

/** Runs `op` on fresh tensors made from `inputs` on the given backend and returns the result's values. */
async function on(backend: string, op: Op, inputs: Array<{ v: Float32Array; shape: number[] }>): Promise<{ v: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const xs = inputs.map((i) => tf.tensor(i.v, i.shape, "float32"));
  const y = op(xs);
  const out = { v: Float32Array.from(y.dataSync() as Float32Array), shape: y.shape };
  tf.dispose([...xs, y]);
  return out;
}

function rand(rng: Rng, shape: number[], lo = -2, hi = 2): { v: Float32Array; shape: number[] } {
  return { v: rng.fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), lo, hi), shape };
}

/** Central differences (step 1e-2) of the scalar f(x, y, z) with respect to each element of input `p`. */
function finiteDiff(f: (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.Scalar, params: tf.Tensor[], p: number): Float64Array {
  const base = Float32Array.from(params[p]!.dataSync());
  const fd = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const at = (d: number): number => {
      const v = Float32Array.from(base);
      v[i] = base[i]! + d;
      const args = params.map((q, k) => (k === p ? tf.tensor(v, q.shape) : q));
      return f(args[0]!, args[1]!, args[2]!).dataSync()[0]!;
    };
    fd[i] = (at(1e-2) - at(-1e-2)) / 2e-2;
  }
  return fd;
}

const cases: Array<[string, Op, number[][], number?]> = [
  ["matMul", ([a, b]) => tf.matMul(a!, b!), [[7, 33], [33, 5]]],
  ["matMul transA", ([a, b]) => tf.matMul(a!, b!, true, false), [[33, 7], [33, 5]]],
  ["matMul transB", ([a, b]) => tf.matMul(a!, b!, false, true), [[7, 33], [5, 33]]],
  ["matMul both", ([a, b]) => tf.matMul(a!, b!, true, true), [[33, 7], [5, 33]]],
  ["batched matMul broadcast", ([a, b]) => tf.matMul(a!, b!), [[3, 4, 17], [1, 17, 6]]],
  ["matMul size-1", ([a, b]) => tf.matMul(a!, b!), [[1, 1], [1, 9]]],
  ["matMul empty", ([a, b]) => tf.matMul(a!, b!), [[0, 3], [3, 4]]],
  ["add broadcast", ([a, b]) => tf.add(a!, b!), [[3, 1, 5], [4, 1]]],
  ["sub broadcast", ([a, b]) => tf.sub(a!, b!), [[2, 3, 4], [3, 1]]],
  ["mul broadcast", ([a, b]) => tf.mul(a!, b!), [[6, 1], [1, 7]]],
  ["div broadcast", ([a, b]) => tf.div(a!, tf.add(tf.abs(b!), 0.5)), [[5, 3], [3]]],
  ["sum axis 0", ([a]) => tf.sum(a!, 0), [[9, 13]]],
  ["mean last axis keepDims", ([a]) => tf.mean(a!, -1, true), [[4, 3, 11]]],
  ["max axes 1-2", ([a]) => tf.max(a!, [1, 2]), [[3, 4, 5]]],
  ["softmax", ([a]) => tf.softmax(a!), [[5, 19]]],
  ["logSoftmax", ([a]) => tf.logSoftmax(a!), [[3, 7]]],
  ["transpose", ([a]) => tf.transpose(a!, [2, 0, 1]), [[3, 4, 5]]],
  ["exp / log / tanh / sigmoid / relu", ([a]) => tf.addN([tf.exp(a!), tf.log(tf.add(tf.abs(a!), 1)), tf.tanh(a!), tf.sigmoid(a!), tf.relu(a!)]), [[4, 9]]],
  ["moments (LayerNorm's statistics)", ([a]) => tf.concat(Object.values(tf.moments(a!, -1, true)), -1), [[6, 10]]],
  ["gather rows", ([a]) => tf.gather(a!, tf.tensor([4, 0, 4, 2], [4], "int32")), [[5, 3]]],
];

describe("native vs wasm", { skip: loadAddon().addon ? false : "the native addon is not built" }, () => {
  for (const [name, op, shapes] of cases) {
    it(`${name} agrees with the wasm engine`, async (t) => {
      if (!native) return t.skip("not on the native engine");
      const rng = new Rng(name.length * 7919);
      const inputs = shapes.map((s) => rand(rng, s));
      try {
        const w = await on("wasm", op, inputs);
        const n = await on("native", op, inputs);
        assert.deepEqual(n.shape, w.shape, `${name}: shape`);
        assertClose(n.v, w.v, 2e-5, name);
      } finally {
        await tf.setBackend("native");
      }
    });
  }

  it("matMul, broadcasting ops and reductions give the gradients of finite differences", async (t) => {
    if (!native) return t.skip("not on the native engine");
    const rng = new Rng(11);
    const a = tf.tensor(rng.fillUniform(new Float32Array(12), -1, 1), [3, 4]);
    const b = tf.tensor(rng.fillUniform(new Float32Array(20), -1, 1), [4, 5]);
    const c = tf.tensor(rng.fillUniform(new Float32Array(5), 0.5, 1.5), [5]);
    const f = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tf.tanh(tf.matMul(x, y)), tf.div(z, tf.add(tf.max(x), 2)))) as tf.Scalar;
    const g = tf.grads(f)([a, b, c]);
    for (let p = 0; p < 3; p++) assertClose(g[p]!.dataSync(), finiteDiff(f, [a, b, c], p), 2e-3, ["dA", "dB", "dc"][p]);
  });

  it("fused LayerNorm gives the gradients of finite differences", (t) => {
    if (!native) return t.skip("not on the native engine");
    const engine = nativeEngineOf(loadAddon().addon!);
    const rng = new Rng(12);
    const x = tf.tensor(rng.fillUniform(new Float32Array(4 * 6), -2, 2), [4, 6]);
    const gm = tf.tensor(rng.fillUniform(new Float32Array(6), 0.5, 1.5), [6]);
    const bt = tf.tensor(rng.fillUniform(new Float32Array(6), -0.5, 0.5), [6]);
    const w = tf.tensor(rng.fillUniform(new Float32Array(4 * 6), -1, 1), [4, 6]);
    const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor): tf.Scalar => tf.sum(tf.mul(layerNormFused(engine, xx, gg, bb, 1e-5), w)) as tf.Scalar;
    const g = tf.grads(f)([x, gm, bt]);
    for (let p = 0; p < 3; p++) assertClose(g[p]!.dataSync(), finiteDiff(f, [x, gm, bt], p), 3e-3, ["dx", "dgamma", "dbeta"][p]);
  });
});
