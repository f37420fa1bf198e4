import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  EVENT_LINEAR_MAX_RATE,
  Linear,
  Rng,
  backendName,
  dispose,
  grads,
  linear,
  mul,
  nativeEngine,
  ready,
  spikeLinear,
  spikeRate,
  sum,
  tensor,
  timeNativeCalls,
  type Tensor,
} from "../../src/tensor/index.js";
import { assertClose, spikes } from "../helpers.js";

before(async () => {
  await ready();
});

/** y and the gradients of sum(y ⊙ c) for x, w, b through `op`, with the native calls it made. */
function run(op: typeof linear, x: Tensor, w: Tensor, b: Tensor | undefined, c: Tensor) {
  const timer = nativeEngine() ? timeNativeCalls() : undefined;
  const calls = new Set<string>();
  try {
    const y = op(x, w, b).dataSync() as Float32Array;
    const f = b
      ? (xx: Tensor, ww: Tensor, bb: Tensor) => sum(mul(op(xx, ww, bb), c))
      : (xx: Tensor, ww: Tensor) => sum(mul(op(xx, ww), c));
    const g = grads(f)(b ? [x, w, b] : [x, w]).map((t) => t.dataSync() as Float32Array);
    return { y, g, calls };
  } finally {
    for (const t of timer?.stop() ?? []) calls.add(t.name);
  }
}

describe("spikeLinear (linear for spike inputs)", () => {
  it("counts the firing rate on the array, NaN when a value is not a spike", () => {
    assert.equal(spikeRate(new Float32Array([1, 0, 0, 1, 0, 0, 0, 0])), 0.25);
    assert.equal(spikeRate(new Float32Array([0, 0])), 0);
    assert.ok(Number.isNaN(spikeRate(new Float32Array([1, 0.5]))));
  });

  it("equals linear's output and all three gradients at several rates (event-driven below the crossover on native)", () => {
    const native = backendName() === "native";
    const rng = new Rng(53);
    const [T, B, K, I, O] = [3, 2, 5, 37, 13];
    for (const withBias of [true, false]) {
      for (const rate of [0, 0.02, 0.1, 0.25, 0.6, 1]) {
        const x = tensor(spikes(rng, T * B * K * I, rate), [T, B, K, I]); // [T, B, K, I]
        const w = tensor(rng.fillUniform(new Float32Array(I * O), -1, 1), [I, O]); // [I, O]
        const b = withBias ? tensor(rng.fillUniform(new Float32Array(O), -1, 1), [O]) : undefined; // [O]
        const c = tensor(rng.fillUniform(new Float32Array(T * B * K * O), -1, 1), [T, B, K, O]); // [T, B, K, O]
        const actualRate = spikeRate(x.dataSync() as Float32Array);
        const ours = run(spikeLinear, x, w, b, c);
        const ref = run(linear, x, w, b, c);
        const what = `rate ${rate} (${actualRate.toFixed(3)}), bias ${withBias}`;
        const event = native && actualRate < EVENT_LINEAR_MAX_RATE;
        assert.equal(ours.calls.has("eventLinear"), event, `event forward: ${what}`);
        assert.equal(ours.calls.has("eventLinearWeightGrad"), event, `event weight gradient: ${what}`);
        assert.equal(ref.calls.has("eventLinear"), false);
        assertClose(ours.y, ref.y, 1e-5, `y, ${what}`);
        assert.equal(ours.g.length, withBias ? 3 : 2);
        for (const [k, name] of ["dx", "dW", "db"].slice(0, ours.g.length).entries()) {
          assertClose(ours.g[k]!, ref.g[k]!, 1e-5, `${name}, ${what}`);
          if (!event) assert.deepEqual(ours.g[k], ref.g[k], `${name} is linear's own, ${what}`);
        }
        if (!event) assert.deepEqual(ours.y, ref.y, `y is linear's own, ${what}`);
        if (rate === 0.1) assert.ok(ours.g[1]!.some((v) => v !== 0), "a weight gradient that is not all zeros");
        dispose([x, w, c, ...(b ? [b] : [])]);
      }
    }
  });

  it("takes linear's path for an input that is not spikes", () => {
    const rng = new Rng(59);
    const v = spikes(rng, 4 * 6, 0.1);
    v[5] = 0.5;
    const x = tensor(v, [4, 6]); // [4, 6]
    const w = tensor(rng.fillUniform(new Float32Array(18), -1, 1), [6, 3]); // [6, 3]
    const c = tensor(new Float32Array(12).fill(1), [4, 3]);
    const ours = run(spikeLinear, x, w, undefined, c);
    const ref = run(linear, x, w, undefined, c);
    assert.equal(ours.calls.has("eventLinear"), false);
    assert.deepEqual(ours.y, ref.y);
    assert.deepEqual(ours.g, ref.g);
    dispose([x, w, c]);
  });

  it("Linear.applySpikes is spikeLinear with the layer's weight and bias", () => {
    const lin = new Linear(new Rng(61), 20, 7);
    const x = tensor(spikes(new Rng(67), 5 * 20, 0.1), [5, 20]); // [5, 20]
    const a = lin.applySpikes(x).dataSync();
    const e = spikeLinear(x, lin.weight, lin.bias).dataSync();
    assert.deepEqual(a, e);
    assertClose(a, lin.apply(x).dataSync(), 1e-5, "vs apply");
    assert.throws(() => spikeLinear(tensor(new Float32Array(5), [1, 5]), lin.weight), RangeError);
    x.dispose();
  });
});
