/**
 * Neurons are modules: the firing-rate monitor and the spike capture find every LIF of a model by walking its
 * modules, so a new model is monitored without listing its neurons.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Module, mul, ready, tensor, type Tensor } from "../../src/tensor/index.js";
import { FiringRateMonitor, LIF, namedNeurons } from "../../src/snn/index.js";
import { captureSpikes } from "../../src/eval/spikes.js";

before(async () => {
  await ready();
});

/** A module that registers what it is given (to test registration itself). */
class Holder extends Module {
  hold<M extends Module>(name: string, m: M): M {
    return this.addModule(name, m);
  }
}

/** An ad-hoc model that never lists its neurons: two LIFs inside a sub-module, one at the top. */
class Body extends Module {
  readonly a = this.addModule("a_lif", new LIF());
  readonly b = this.addModule("b_lif", new LIF({ vThreshold: 2 }));
}
class Tiny extends Module {
  readonly body = this.addModule("body", new Body());
  readonly out = this.addModule("out", new LIF({}, "ignored label"));
  /** x [1, 3] -> the three LIFs' spikes over T = 4 (a and b see x, out sees a's spikes x 3) */
  run(x: Tensor): void {
    const sa = this.body.a.forwardRepeated(x, 4); // [4, 1, 3]
    this.body.b.forwardRepeated(x, 4).dispose();
    this.out.forward(mul(sa, 3)).dispose();
    sa.dispose();
  }
}

describe("neurons found by walking the model's modules", () => {
  it("monitors every LIF of a model, nested ones included, under its dotted name, without a list", () => {
    const m = new Tiny();
    assert.deepEqual(namedNeurons(m).map(([n]) => n), ["body.a_lif", "body.b_lif", "out"]);
    assert.deepEqual([m.body.a.name, m.out.name, new LIF({}, "free").name], ["body.a_lif", "out", "free"]);
    const mon = new FiringRateMonitor().attach(m);
    // x = 2.5, 1.5, 0.3 (tau 2): a (v_th 1) fires 1111, 0101, 0000 = 6 of 12; b (v_th 2): H 1.25, 1.875, 2.1875 ->
    // 0010 on 2.5, never on 1.5 (H <= 1.41) or 0.3 = 1 of 12; out gets 3 x a's spikes: 3 -> H 1.5 fires, 0 -> 0,
    // so out fires exactly where a does = 6 of 12
    const spikes = captureSpikes(m, () => m.run(tensor([[2.5, 1.5, 0.3]])), { maxNeurons: 3 });
    const r = mon.rates();
    assert.deepEqual(Object.keys(r), ["body.a_lif", "body.b_lif", "out"]);
    assert.deepEqual([r["body.a_lif"]!.spikes, r["body.b_lif"]!.spikes, r.out!.spikes], [6, 1, 6]);
    assert.deepEqual(spikes.map((l) => l.layer), ["body.a_lif", "body.b_lif", "out"]);
    assert.deepEqual(spikes[1]!.spikes, [[0, 0, 0], [0, 0, 0], [1, 0, 0], [0, 0, 0]]); // b: [T][neurons]
    // errors name the neuron by its place in the model
    assert.throws(() => m.body.b.forward(tensor([[1], [Number.NaN]])), /LIF 'body\.b_lif': input is not finite \(NaN\) at step 1/);
    assert.throws(() => new Holder().hold("again", m.body.a), /module 'again' is already registered as 'body\.a_lif'/);
  });

  it("finds no neurons in a model without LIFs", () => {
    const model = new Holder();
    model.hold("inner", new Holder());
    assert.deepEqual(namedNeurons(model), []);
    assert.deepEqual(new FiringRateMonitor().attach(model).rates(), {});
  });
});
