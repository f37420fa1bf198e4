import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ready } from "../../src/tensor/index.js";
import { AnnStrlConfig, BcConfig, DtConfig, StrlConfig, StrlModel, configFromJSON, modelFromJSON } from "../../src/models/index.js";
import { DISCRETE, CONTINUOUS } from "./fixtures.js";

const need = { obsDim: 2, head: DISCRETE };

describe("model configs", () => {
  before(async () => {
    await ready();
  });

  it("defaults StrlConfig to the paper-scale setting, causal", () => {
    const c = new StrlConfig(need);
    assert.equal(c.dModel, 256);
    assert.equal(c.nBlocks, 6);
    assert.equal(c.nHeads, 8);
    assert.equal(c.T, 4);
    assert.equal(c.contextLength, 100);
    assert.equal(c.maxTimestep, 1000);
    assert.equal(c.dropout, 0.1);
    assert.equal(c.attention, "strl");
    assert.equal(c.causal, true);
    assert.equal(c.mode, "causal");
    assert.equal(c.scale, 1 / Math.sqrt(32));
    assert.deepEqual(c.neuron, { tau: 2, vThreshold: 1, vReset: 0, decayInput: true, detachReset: true, surrogate: { name: "sigmoid", alpha: 4 } });
    assert.deepEqual(c.stateMean, [0, 0]);
    assert.deepEqual(c.stateStd, [1, 1]);
  });

  it("defaults DtConfig to the kzl gym setting", () => {
    const c = new DtConfig(need);
    assert.deepEqual([c.contextLength, c.dModel, c.nBlocks, c.nHeads, c.activation, c.dropout], [20, 128, 3, 1, "relu", 0.1]);
  });

  it("round-trips every config through JSON text", () => {
    const configs = [
      new StrlConfig({ ...need, head: CONTINUOUS, causal: false, attention: "spike-driven", neuron: { tau: 4, vReset: null, surrogate: "atan" }, stateMean: [1, 2], stateStd: [3, 4], rtgScale: 10 }),
      new AnnStrlConfig({ ...need, activation: "gelu", attnScale: 0.125 }),
      new DtConfig({ ...need, nHeads: 2, dModel: 64 }),
      new BcConfig({ ...need, hidden: [32, 16], pastStates: 3 }),
    ];
    for (const c of configs) {
      const text = JSON.stringify(c.toJSON());
      const back = configFromJSON(JSON.parse(text));
      assert.equal(back.constructor, c.constructor);
      assert.deepEqual(back.toJSON(), c.toJSON());
    }
    assert.equal((configs[0] as StrlConfig).mode, "paper");
    assert.deepEqual((configs[0] as StrlConfig).neuron.surrogate, { name: "atan", alpha: 2 });
  });

  it("rejects unknown keys and bad values with a message naming the key and the value", () => {
    assert.throws(() => StrlConfig.fromJSON({ ...need, dModle: 64 }), /StrlConfig: unknown key 'dModle' \(did you mean 'dModel'\?\)/);
    assert.throws(() => new StrlConfig({ ...need, nHeads: 0 }), /StrlConfig\.nHeads must be an integer >= 1, got 0/);
    assert.throws(() => new StrlConfig({ ...need, dModel: 100, nHeads: 8 }), /StrlConfig\.dModel \(100\) must be divisible by nHeads \(8\)/);
    assert.throws(() => new StrlConfig({ ...need, neuron: { tau: 0.5 } }), /StrlConfig\.neuron: LIF tau must be > 1, got 0\.5/);
    assert.throws(() => StrlConfig.fromJSON({ ...need, neuron: { tau: 2, threshold: 1 } }), /StrlConfig\.neuron: unknown key 'threshold'/);
    assert.throws(() => new StrlConfig({ ...need, attention: "linear" as "strl" }), /StrlConfig\.attention must be one of 'strl', 'spike-driven', got 'linear'/);
    assert.throws(() => new StrlConfig({ obsDim: 2, head: { kind: "discrete", n: 1 } }), /StrlConfig\.head\.n must be an integer >= 2, got 1/);
    assert.throws(() => new StrlConfig({ ...need, stateMean: [0, 0, 0] }), /StrlConfig\.stateMean must have obsDim = 2 entries, got 3/);
    assert.throws(() => new DtConfig({ ...need, stateStd: [1, 0] }), /DtConfig\.stateStd\[1\] must be a finite number > 0, got 0/);
    assert.throws(() => new BcConfig({ ...need, head: { kind: "continuous", dim: 1, low: [1], high: [1] } }), /BcConfig\.head: low\[0\] \(1\) must be below high\[0\] \(1\)/);
    assert.throws(() => DtConfig.fromJSON({ ...new StrlConfig(need).toJSON() }), /DtConfig\.kind must be 'dt', got 'strl'/);
    assert.throws(() => configFromJSON({ ...need }), /model config\.kind is required/);
    assert.throws(() => new StrlConfig({ head: DISCRETE } as never), /StrlConfig\.obsDim is required/);
  });

  it("builds the model a config JSON names", () => {
    const m = modelFromJSON({ ...new AnnStrlConfig({ ...need, dModel: 8, nBlocks: 1, nHeads: 1, contextLength: 3 }).toJSON() });
    assert.equal(m.kind, "ann-strl");
    assert.equal(m.contextLength, 3);
    m.dispose();
  });

  it("warns once, on stderr, when a model is built in paper mode", () => {
    const lines: string[] = [];
    const orig = console.warn;
    console.warn = (...a: unknown[]) => lines.push(a.join(" "));
    try {
      const small = { ...need, dModel: 8, nBlocks: 1, nHeads: 1, contextLength: 3, maxTimestep: 4 };
      new StrlModel({ ...small, causal: false }).dispose();
      new StrlModel({ ...small, causal: false }).dispose();
      new StrlModel(small).dispose();
    } finally {
      console.warn = orig;
    }
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /paper mode \(causal: false\).*a_t/);
    assert.equal(lines[0]!.includes("\n"), false);
  });
});
