/**
 * The native backend's tfjs kernels against tfjs-backend-cpu's kernels run on the same tensors (the native
 * backend stores values as tfjs-backend-cpu does, so both kernels can be called on one backend), against float64
 * references, and against the wasm engine's composition of the same math (LayerNorm, AdamW). Thread-count
 * independence is checked bit for bit.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng, adamwStep, backendName, dropout, loadAddon, nativeEngineOf, ready, LayerNorm } from "../../src/tensor/index.js";
import { tf } from "../../src/tensor/tf.js";
import { assertClose } from "../helpers.js";
import { layerNormFused } from "../../src/tensor/native/fused.js";

const skip = loadAddon().addon ? false : "the native addon is not built";
let native = false;

before(async () => {
  await ready();
  native = backendName() === "native";
});

function rand(rng: Rng, shape: number[], lo = -2, hi = 2): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillUniform(new Float32Array(n), lo, hi), shape, "float32");
}

/** Runs tfjs-backend-cpu's kernel `name` on the active (native) backend. */
function cpu(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor {
  const k = tf.getKernel(name, "cpu")!;
  const info = k.kernelFunc({ inputs, backend: tf.backend(), attrs }) as tf.TensorInfo;
  return tf.engine().makeTensorFromTensorInfo(info);
}

function run(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
}

function bits(t: tf.Tensor): Uint32Array {
  return new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer);
}

describe("native kernels", { skip }, () => {
  it("runs on the native engine by default when the addon is built", (t) => {
    if (process.env.STRL_ENGINE === "wasm") return t.skip("STRL_ENGINE=wasm");
    assert.equal(backendName(), "native");
  });

  it("broadcasts binary ops exactly as tfjs-backend-cpu does", (t) => {
    if (!native) return t.skip("not on the native engine");
    const rng = new Rng(1);
    const pairs: Array<[number[], number[]]> = [
      [[2, 3, 4], [2, 3, 4]],
      [[2, 3, 4], [4]],
      [[2, 3, 4], [3, 1]],
      [[2, 1, 4], [1, 3, 1]],
      [[5], []],
      [[], [7, 2]],
      [[0, 3], [3]],
      [[1], [1]],
      [[3, 1, 5, 1], [1, 4, 1, 2]],
      [[17, 33], [17, 1]],
    ];
    for (const name of ["Add", "Sub", "Multiply", "RealDiv", "Maximum", "Minimum", "SquaredDifference"]) {
      for (const [sa, sb] of pairs) {
        const a = rand(rng, sa);
        const b = rand(rng, sb, 0.5, 2);
        const got = run(name, { a, b });
        const want = cpu(name, { a, b });
        assert.deepEqual(got.shape, want.shape, `${name} [${sa}] [${sb}] shape`);
        assert.deepEqual(bits(got), bits(want), `${name} [${sa}] [${sb}]`);
        tf.dispose([a, b, got, want]);
      }
    }
  });

  it("computes unary ops as tfjs-backend-cpu does (exact, or within 1 ulp for transcendental ones)", (t) => {
    if (!native) return t.skip("not on the native engine");
    const rng = new Rng(2);
    const x = rand(rng, [3, 7, 5], 0.1, 3);
    for (const name of ["Neg", "Square", "Relu", "Abs", "Sqrt", "Rsqrt", "Reciprocal"]) {
      assert.deepEqual(bits(run(name, { x })), bits(cpu(name, { x })), name);
    }
    for (const name of ["Exp", "Log", "Tanh", "Sigmoid"]) {
      assertClose(run(name, { x }).dataSync(), cpu(name, { x }).dataSync(), 2e-7, name);
    }
  });

  it("reduces over any contiguous block of axes, with keepDims, as tfjs-backend-cpu does", (t) => {
    if (!native) return t.skip("not on the native engine");
    const rng = new Rng(3);
    const x = rand(rng, [4, 5, 6]);
    for (const name of ["Sum", "Mean", "Max", "Min"]) {
      for (const axis of [0, 1, 2, -1, [0, 1], [1, 2], [0, 1, 2]]) {
        for (const keepDims of [false, true]) {
          const attrs: tf.NamedAttrMap = name === "Max" ? { reductionIndices: axis, keepDims } : { axis, keepDims };
          const got = run(name, { x }, attrs);
          const want = cpu(name, { x }, attrs);
          assert.deepEqual(got.shape, want.shape, `${name} axis ${axis}`);
          assertClose(got.dataSync(), want.dataSync(), 1e-6, `${name} axis ${axis} keepDims ${keepDims}`);
        }
      }
    }
    // A hand-computed case: the column sums of [[1, 2], [3, 4], [5, 6]].
    const m = tf.tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    assert.deepEqual(Array.from(run("Sum", { x: m }, { axis: 0, keepDims: false }).dataSync()), [9, 12]);
    assert.deepEqual(Array.from(run("Max", { x: m }, { reductionIndices: 1, keepDims: true }).dataSync()), [2, 4, 6]);
  });

  it("computes softmax over the last axis and transposes any permutation", (t) => {
    if (!native) return t.skip("not on the native engine");
    const rng = new Rng(4);
    const logits = rand(rng, [6, 9], -5, 5);
    assertClose(run("Softmax", { logits }, { dim: -1 }).dataSync(), cpu("Softmax", { logits }, { dim: -1 }).dataSync(), 1e-6, "softmax");
    const s = run("Softmax", { logits: tf.tensor([0, Math.log(3)], [1, 2]) }, { dim: -1 });
    assertClose(s.dataSync(), [0.25, 0.75], 1e-7, "softmax of [0, ln 3]");
    const x = rand(rng, [2, 3, 4, 5]);
    for (const perm of [[0, 1, 2, 3], [3, 2, 1, 0], [0, 2, 1, 3], [1, 0, 3, 2], [2, 3, 0, 1]]) {
      const got = run("Transpose", { x }, { perm });
      const want = cpu("Transpose", { x }, { perm });
      assert.deepEqual(got.shape, want.shape);
      assert.deepEqual(bits(got), bits(want), `perm ${perm}`);
    }
  });

  it("gathers rows along any axis as tfjs-backend-cpu does, and refuses an out-of-range index", (t) => {
    if (!native) return t.skip("not on the native engine");
    const rng = new Rng(9);
    const x = rand(rng, [4, 5, 3]);
    const indices = tf.tensor([3, 0, 0, 4, 1, 2], [2, 3], "int32");
    for (const axis of [0, 1]) {
      const idx = axis === 0 ? tf.tensor([3, 0, 0, 2, 1, 2], [2, 3], "int32") : indices;
      const got = run("GatherV2", { x, indices: idx }, { axis, batchDims: 0 });
      const want = cpu("GatherV2", { x, indices: idx }, { axis, batchDims: 0 });
      assert.deepEqual(got.shape, want.shape, `axis ${axis}`);
      assert.deepEqual(bits(got), bits(want), `axis ${axis}`);
    }
    // Row 2 of [[0, 1], [2, 3], [4, 5]] is [4, 5].
    const table = tf.tensor([0, 1, 2, 3, 4, 5], [3, 2]);
    assert.deepEqual(Array.from(run("GatherV2", { x: table, indices: tf.tensor([2], [1], "int32") }, { axis: 0, batchDims: 0 }).dataSync()), [4, 5]);
    assert.throws(() => run("GatherV2", { x: table, indices: tf.tensor([3], [1], "int32") }, { axis: 0, batchDims: 0 }), /index 3 at position 0 is not in \[0, 2\]/);
  });

  it("slices, pads, unstacks and steps as tfjs-backend-cpu does", (t) => {
    if (!native) return t.skip("not on the native engine");
    const rng = new Rng(10);
    const x = rand(rng, [3, 4, 5, 6]);
    const boxes: Array<[number[], number[]]> = [[[0, 0, 0, 0], [3, 4, 5, 6]], [[1, 0, 2, 0], [2, 4, 3, -1]], [[0, 1, 0, 2], [3, 2, 5, 2]], [[2, 3, 4, 5], [1, 1, 1, 1]], [[0, 0, 0, 0], [0, 4, 5, 6]]];
    for (const [begin, sz] of boxes) {
      const got = run("Slice", { x }, { begin, size: sz });
      const want = cpu("Slice", { x }, { begin, size: sz });
      assert.deepEqual(got.shape, want.shape, `slice ${begin} ${sz}`);
      assert.deepEqual(bits(got), bits(want), `slice ${begin} ${sz}`);
    }
    for (const [paddings, constantValue] of [[[[0, 0], [1, 2], [0, 0], [3, 0]], 0], [[[1, 1], [0, 0], [2, 1], [0, 1]], -1.5]] as const) {
      const attrs = { paddings: paddings.map((p) => [...p]), constantValue };
      const got = run("PadV2", { x }, attrs);
      const want = cpu("PadV2", { x }, attrs);
      assert.deepEqual(got.shape, want.shape);
      assert.deepEqual(bits(got), bits(want), `pad ${JSON.stringify(paddings)}`);
    }
    // [[1, 2, 3]] padded by one zero on the left of axis 1: [[0, 1, 2, 3]]
    const p1 = run("PadV2", { x: tf.tensor([1, 2, 3], [1, 3]) }, { paddings: [[0, 0], [1, 0]], constantValue: 0 });
    assert.deepEqual(Array.from(p1.dataSync()), [0, 1, 2, 3]);
    for (const axis of [0, 1, 3]) {
      const got = tf.engine().runKernel("Unpack", { value: x }, { axis }) as tf.Tensor[];
      const k = tf.getKernel("Unpack", "cpu")!;
      const want = (k.kernelFunc({ inputs: { value: x }, backend: tf.backend(), attrs: { axis } }) as tf.TensorInfo[]).map((i) => tf.engine().makeTensorFromTensorInfo(i));
      assert.equal(got.length, want.length);
      got.forEach((g, j) => {
        assert.deepEqual(g.shape, want[j]!.shape);
        assert.deepEqual(bits(g), bits(want[j]!), `unpack axis ${axis} part ${j}`);
      });
    }
    const s = tf.tensor([-1, 0, 2, NaN], [4]);
    assert.deepEqual(Array.from(run("Step", { x: s }, { alpha: 0.25 }).dataSync()), [0.25, 0.25, 1, NaN]);
  });

  it("multiplies batched matrices with transposes and broadcast batches (float64 reference)", (t) => {
    if (!native) return t.skip("not on the native engine");
    const rng = new Rng(5);
    for (const [ba, bb, M, K, N] of [[3, 3, 5, 7, 4], [1, 4, 3, 2, 6], [2, 1, 1, 9, 1], [2, 2, 0, 3, 2], [1, 1, 4, 0, 3]] as const) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const a = rand(rng, ta ? [ba, K, M] : [ba, M, K]);
          const b = rand(rng, tb ? [bb, N, K] : [bb, K, N]);
          const got = tf.matMul(a, b, ta, tb);
          const B = Math.max(ba, bb);
          const av = a.dataSync();
          const bv = b.dataSync();
          const want = new Float64Array(B * M * N);
          for (let q = 0; q < B; q++) {
            const ao = (ba === 1 ? 0 : q) * M * K;
            const bo = (bb === 1 ? 0 : q) * K * N;
            for (let i = 0; i < M; i++) {
              for (let j = 0; j < N; j++) {
                let s = 0;
                for (let k = 0; k < K; k++) s += av[ao + (ta ? k * M + i : i * K + k)]! * bv[bo + (tb ? j * K + k : k * N + j)]!;
                want[(q * M + i) * N + j] = s;
              }
            }
          }
          assert.deepEqual(got.shape, [B, M, N]);
          assertClose(got.dataSync(), want, 1e-5, `matMul ${ba}/${bb} ${M}x${K}x${N} ${ta} ${tb}`);
        }
      }
    }
  });

  it("fuses LayerNorm: the same values and gradients as the tfjs composition", (t) => {
    if (!native) return t.skip("not on the native engine");
    const rng = new Rng(6);
    const x = rand(rng, [3, 5, 8]);
    const dy = rand(rng, [3, 5, 8]);
    const composed = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
      const { mean, variance } = tf.moments(xx, -1, true);
      return tf.add(tf.mul(tf.mul(tf.sub(xx, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
    };
    const fused = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => layerNormFused(nativeEngineOf(loadAddon().addon!), xx, g, b, 1e-5);
    const g = rand(rng, [8], 0.5, 1.5);
    const b = rand(rng, [8], -0.5, 0.5);
    assertClose(fused(x, g, b).dataSync(), composed(x, g, b).dataSync(), 2e-6, "forward");
    const gf = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => fused(xx, gg, bb))([x, g, b], dy);
    const gc = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => composed(xx, gg, bb))([x, g, b], dy);
    for (let i = 0; i < 3; i++) assertClose(gf[i]!.dataSync(), gc[i]!.dataSync(), 2e-5, ["dx", "dgamma", "dbeta"][i]);
  });

  it("fuses AdamW bit for bit with the composed float32 update", (t) => {
    if (!native) return t.skip("not on the native engine");
    const rng = new Rng(7);
    const [p, g, m] = [rand(rng, [33, 17]), rand(rng, [33, 17]), rand(rng, [33, 17], -0.1, 0.1)];
    const v = rand(rng, [33, 17], 0, 0.01);
    const o = { beta1: 0.9, beta2: 0.999, eps: 1e-8, decay: 1 - 1e-3 * 1e-4, stepSize: 1e-3 / (1 - 0.9 ** 3), sqrtBc2: Math.sqrt(1 - 0.999 ** 3) };
    const fused = adamwStep(p, g, m, v, o);
    const composed = tf.tidy(() => {
      const m2 = tf.add(tf.mul(m, o.beta1), tf.mul(g, 1 - o.beta1));
      const v2 = tf.add(tf.mul(v, o.beta2), tf.mul(tf.square(g), 1 - o.beta2));
      const denom = tf.add(tf.div(tf.sqrt(v2), o.sqrtBc2), o.eps);
      return { p: tf.sub(tf.mul(p, o.decay), tf.mul(tf.div(m2, denom), o.stepSize)), m: m2, v: v2 };
    });
    assert.deepEqual(bits(fused.m), bits(composed.m), "m");
    assert.deepEqual(bits(fused.v), bits(composed.v), "v");
    assert.deepEqual(bits(fused.p), bits(composed.p), "p");
  });

  it("draws dropout masks bit for bit as the JS loop over Rng.float(), and leaves the stream in the same state", (t) => {
    if (!native) return t.skip("not on the native engine");
    const ones = tf.ones([7, 129]);
    const a = new Rng(123);
    a.float(); // any position in the stream
    const b = Rng.fromState(a.getState());
    const got = dropout(ones, 0.3, a, true).dataSync();
    const keep = 1 / (1 - 0.3);
    const want = Float32Array.from({ length: 7 * 129 }, () => (b.float() < 0.3 ? 0 : keep));
    assert.deepEqual(Array.from(got), Array.from(want));
    assert.deepEqual(a.getState(), b.getState());
    const zeros = Array.from(got).filter((v) => v === 0).length;
    assert.ok(zeros > 200 && zeros < 340, `${zeros} of 903 dropped at p = 0.3`);
  });

  it("gives bit-identical results with 1 and 2 threads", (t) => {
    if (!native) return t.skip("not on the native engine");
    const addon = loadAddon().addon!;
    const rng = new Rng(8);
    const x = rand(rng, [300, 1000]);
    const y = rand(rng, [1000]);
    const w = rand(rng, [1000, 257]);
    const runAll = (): Uint32Array[] => [
      bits(tf.sum(x, 0)),
      bits(tf.sum(x, 1)),
      bits(tf.add(x, y)),
      bits(tf.softmax(x)),
      bits(tf.matMul(x, w)),
      bits(tf.matMul(x, x, true, false)),
      bits(new LayerNorm(1000).apply(x)),
    ];
    const before = addon.threads();
    try {
      addon.setThreads(1);
      const one = runAll();
      addon.setThreads(2);
      const two = runAll();
      for (let i = 0; i < one.length; i++) assert.deepEqual(one[i], two[i], `result ${i}`);
    } finally {
      addon.setThreads(before);
    }
  });

  it("rejects bad arguments with a RangeError instead of crashing", () => {
    const addon = loadAddon().addon!;
    assert.throws(() => addon.binary(0, [4], new Float32Array(4), [4], new Float32Array(3), [3], new Float32Array(4)), /shapes do not broadcast/);
    assert.throws(() => addon.reduce(0, new Float32Array(5), 2, 3, 1, new Float32Array(2)), /sizes do not match/);
    assert.throws(() => addon.transpose(new Float32Array(6), [2, 3], [0, 0], new Float32Array(6)), /not a permutation/);
    assert.throws(() => addon.unary(0, new Float32Array(4), new Float32Array(2)), /smaller/);
    assert.throws(() => (addon.softmax as unknown as (x: unknown) => void)("x"), RangeError);
  });
});
