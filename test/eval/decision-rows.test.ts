/**
 * What the page's neuron and attention panels read from one decision (DecisionInspector with `membrane` and
 * `attention`): the decision row's membrane H_t of every LIF layer, consistent with its spikes and with the LIF
 * recurrence of a direct-encoded neuron; and the decision row's score spikes per head with the softmax weights
 * they give, silent or not, on the native inference plan and the tfjs path alike.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ready } from "../../src/tensor/index.js";
import { modelFromJSON } from "../../src/models/factory.js";
import type { PolicyModel } from "../../src/models/types.js";
import { EpisodeStepper } from "../../src/eval/stepper.js";
import { DecisionInspector, type DecisionTrace } from "../../src/eval/decision.js";
import { attentionKind } from "../../src/eval/attention-row.js";

const ENV = "MazeLocal-v0";
const OPTS = { size: 7 };
const T = 4;
const HEADS = 2;

/** The trace of decision `k` (1-based) of episode 0, seed 3, with membrane and attention kept. */
async function traceOf(model: PolicyModel, k: number): Promise<DecisionTrace> {
  const inspector = new DecisionInspector(model, { membrane: true, attention: true });
  const s = new EpisodeStepper({ envId: ENV, envOptions: OPTS, model, targetReturn: 0.5, seed: 3, maxSteps: 12 });
  let trace!: DecisionTrace;
  for (let i = 0; i < k && !s.done; i++) {
    const tokens = Math.min(s.actions.length + 1, model.contextLength);
    await s.step(async (decide) => {
      const out = await inspector.inspect(tokens, decide);
      trace = out.trace;
      return out.value;
    });
  }
  inspector.detach();
  return trace;
}

function strl(over: Record<string, unknown>): PolicyModel {
  const m = modelFromJSON({ kind: "strl", obsDim: 6, head: { kind: "discrete", n: 4 }, dModel: 32, nBlocks: 2, nHeads: HEADS, contextLength: 4, T, rtgScale: 2, seed: 7, ...over });
  m.eval();
  return m;
}

before(async () => {
  await ready();
});

describe("the decision row's membrane", () => {
  it("is H_t = d + v_th of each raster neuron: a spike exactly where H_t >= v_th, and the LIF recurrence of a direct-encoded input", async () => {
    const t = await traceOf(strl({ neuron: { vThreshold: 0.2 } }), 3);
    for (const l of t.spikes) {
      assert.equal(l.vThreshold, 0.2, l.layer);
      assert.equal(l.membrane!.length, T);
      l.membrane!.forEach((row, ti) => row.forEach((h, j) => assert.equal(l.spikes[ti]![j], h >= 0.2 ? 1 : 0, `${l.layer} t ${ti} neuron ${j}`)));
    }
    // mlp.lif1 gets the same input u at every step (tau 2, hard reset to 0): u = 2·H_1, then H_t = V_{t-1} + (u - V_{t-1}) / 2
    const lif1 = t.spikes.find((l) => l.layer === "blocks.0.mlp.lif1")!;
    let checked = 0;
    for (let j = 0; j < lif1.membrane![0]!.length; j++) {
      const h = lif1.membrane!.map((row) => row[j]!);
      const u = 2 * h[0]!;
      let v = h[0]! >= 0.2 ? 0 : h[0]!;
      for (let ti = 1; ti < T; ti++) {
        const expect = v + (u - v) / 2;
        assert.ok(Math.abs(h[ti]! - expect) <= 1e-5 * Math.max(1, Math.abs(expect)), `neuron ${j} t ${ti}: ${h[ti]} vs ${expect}`);
        v = h[ti]! >= 0.2 ? 0 : h[ti]!;
        checked++;
      }
    }
    assert.ok(checked >= T - 1);
  });

  it("is not kept unless asked", async () => {
    const model = strl({});
    const inspector = new DecisionInspector(model);
    const s = new EpisodeStepper({ envId: ENV, envOptions: OPTS, model, targetReturn: 0.5, seed: 3 });
    let trace!: DecisionTrace;
    await s.step(async (decide) => {
      const out = await inspector.inspect(1, decide);
      trace = out.trace;
      return out.value;
    });
    inspector.detach();
    assert.ok(trace.spikes.length > 0 && trace.spikes.every((l) => l.membrane === undefined && l.vThreshold === undefined));
    assert.equal(trace.attention, undefined);
  });
});

describe("the decision row's attention", () => {
  it("holds each head's score spikes over the window's real steps and the weights e or 1 over their sum they give", async () => {
    // a large score scale and low threshold make the score LIFs fire; the default (1/sqrt(16), threshold 1) is silent
    const cases: Array<[string, PolicyModel, boolean]> = [
      ["firing", strl({ neuron: { vThreshold: 0.2 }, attnScale: 1 }), false],
      ["silent", strl({ neuron: { vThreshold: 1e3 } }), true],
    ];
    for (const [name, model, silent] of cases) {
      assert.equal(attentionKind(model), "strl");
      const t = await traceOf(model, 3);
      const rows = t.attention!;
      assert.deepEqual(rows.map((r) => r.layer), ["blocks.0.attn.score_lif", "blocks.1.attn.score_lif"], name);
      for (const r of rows) {
        assert.equal(r.heads, HEADS);
        assert.equal(r.keys, t.tokens, `${name}: the decision row attends its ${t.tokens} real steps`);
        const raster = t.spikes.find((l) => l.layer === r.layer)!.spikes; // the same cells, head by head
        for (let ti = 0; ti < T; ti++) {
          assert.deepEqual(r.spikes.flatMap((h) => h[ti]!), raster[ti], `${name} ${r.layer} t ${ti}`);
          for (let h = 0; h < HEADS; h++) {
            const n = r.spikes[h]![ti]!.reduce((a, s) => a + s, 0);
            const z = r.keys + (Math.E - 1) * n;
            r.weights[h]![ti]!.forEach((w, m) => assert.ok(Math.abs(w - (r.spikes[h]![ti]![m] ? Math.E : 1) / z) <= 1e-12));
          }
        }
        r.mean.forEach((head, h) => head.forEach((w, m) => assert.ok(Math.abs(w - r.weights[h]!.reduce((a, row) => a + row[m]!, 0) / T) <= 1e-12)));
        assert.equal(r.silent, r.spikes.flat(2).every((s) => s === 0));
        if (silent) assert.ok(r.silent && r.mean.flat().every((w) => Math.abs(w - 1 / r.keys) <= 1e-12), `${name}: uniform`);
      }
      if (!silent) assert.ok(rows.some((r) => !r.silent), "some score spiked");
    }
  });

  it("is absent for a model without score neurons", async () => {
    const ann = modelFromJSON({ kind: "ann-strl", obsDim: 6, head: { kind: "discrete", n: 4 }, dModel: 32, nBlocks: 1, nHeads: HEADS, contextLength: 4, rtgScale: 2, seed: 7 });
    ann.eval();
    assert.equal(attentionKind(ann), "none");
    assert.deepEqual((await traceOf(ann, 2)).attention, []);
    assert.equal(attentionKind(strl({ attention: "spike-driven" })), "spike-driven");
  });
});
