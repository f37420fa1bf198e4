/**
 * Every model kind and head exported and run by ONNX Runtime against strl's own decision on held-out windows
 * (random histories from 1 step, all padding but one, to longer than the context): logits (or continuous
 * actions) equal to 1e-5, the same arg-max, and for STRL the same spike count in every LIF layer. The first
 * layer whose count differs must be one where strl had a membrane within 1e-5 of threshold in that decision
 * (float rounding can flip those); such flips are counted and reported, and the later layers and the logits of
 * that decision are then not compared.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ready, Rng } from "../../src/tensor/index.js";
import { OnnxPolicyRunner, SPIKES_PREFIX, loadOnnxRuntime, readModelInfo } from "../../src/export/index.js";
import { namedNeurons } from "../../src/snn/index.js";
import { allCases, exportModel, makeModel, randomHistory, strlDecision } from "./fixtures.js";

const WINDOWS = 10;
const TOL = 1e-5;

before(async () => {
  await ready();
});

describe("ONNX export: ONNX Runtime gives strl's decisions", () => {
  for (const c of allCases()) {
    it(`${c.label}: logits to 1e-5, the same action${c.config.kind === "strl" ? " and the same spikes per LIF layer" : ""}`, async (t) => {
      const model = makeModel(c.config);
      const runner = await OnnxPolicyRunner.open(exportModel(model));
      const rng = new Rng(101);
      const lifNames = namedNeurons(model).map(([n]) => n);
      const spikesSeen: Record<string, number> = {};
      let flips = 0;
      let flipDecisions = 0;
      try {
        for (let w = 0; w < WINDOWS; w++) {
          const n = 1 + w; // 1 .. 10 steps against K = 5: padded windows, a full one, cropped ones
          const h = randomHistory(rng, n, c.config.head as { kind: string }, w % 3 === 0 ? 17 : 0); // some timesteps past the table (clipped)
          const want = strlDecision(model, h);
          const got = await runner.decide(h);
          // layers in the order they run: the first that differs must hold the flip (a membrane near threshold
          // in strl); the layers after it get other inputs, so they are not compared in that decision
          let flipped = 0;
          for (const name of lifNames) {
            const s = want.spikes[name] ?? 0;
            spikesSeen[name] = (spikesSeen[name] ?? 0) + s;
            const out = got.outputs[SPIKES_PREFIX + name];
            assert.ok(out, `no output ${SPIKES_PREFIX}${name}`);
            if (flipped > 0) continue;
            const diff = Math.abs((out.data as Float32Array)[0]! - s);
            if (diff === 0) continue;
            assert.ok(diff <= (want.near[name] ?? 0), `window ${w}: ${name} fired ${(out.data as Float32Array)[0]} spikes in ONNX Runtime, ${s} in strl, with ${want.near[name] ?? 0} membranes near threshold`);
            flipped = diff;
          }
          flips += flipped;
          if (flipped > 0) {
            flipDecisions++;
            continue;
          }
          const preds = (got.outputs.action_logits ?? got.outputs.action)!.data as Float32Array;
          assert.equal(preds.length, want.preds.length);
          for (let i = 0; i < preds.length; i++) {
            assert.ok(Math.abs(preds[i]! - want.preds[i]!) <= TOL * Math.max(1, Math.abs(want.preds[i]!)), `window ${w}: output ${i} ${preds[i]} vs strl ${want.preds[i]}`);
          }
          if (typeof got.action === "number") {
            let best = 0;
            for (let i = 1; i < want.preds.length; i++) if (want.preds[i]! > want.preds[best]!) best = i;
            assert.equal(got.action, best, `window ${w}: action`);
          }
        }
        if (c.config.kind === "strl") {
          // the fixture must exercise every LIF layer, the score / output LIF included
          for (const name of lifNames) assert.ok(spikesSeen[name]! > 0, `${name} never fired in the fixture`);
          assert.deepEqual([...runner.session.outputNames].filter((o) => o.startsWith(SPIKES_PREFIX)).sort(), lifNames.map((n) => SPIKES_PREFIX + n).sort());
        }
        if (c.config.kind === "strl") t.diagnostic(`${flips} spike flips near threshold in ${flipDecisions} of ${WINDOWS} decisions`);
      } finally {
        await runner.release();
        model.dispose();
      }
    });
  }

  it("the DT graph reads no action at the current step, not even an index outside the table", async () => {
    const model = makeModel(allCases().find((c) => c.label === "dt discrete")!.config);
    const runner = await OnnxPolicyRunner.open(exportModel(model));
    try {
      const h = randomHistory(new Rng(5), 7, { kind: "discrete" });
      const feeds = runner.feeds(h);
      const plain = await runner.session.run(feeds);
      const acts = BigInt64Array.from(feeds.actions!.data as BigInt64Array);
      acts[acts.length - 1] = 99n; // the table has 3 rows
      const { Tensor } = loadOnnxRuntime();
      const odd = await runner.session.run({ ...feeds, actions: new Tensor("int64", acts, [1, acts.length]) });
      assert.deepEqual(Array.from(odd.action_logits!.data as Float32Array), Array.from(plain.action_logits!.data as Float32Array));
      assert.deepEqual(Array.from(plain.action_logits!.data as Float32Array).map((v, i) => Math.abs(v - strlDecision(model, h).preds[i]!) <= TOL), [true, true, true]);
    } finally {
      await runner.release();
      model.dispose();
    }
  });

  it("the file's metadata names the env, the window, the scales and the strl version", () => {
    const model = makeModel(allCases().find((c) => c.label === "strl discrete strl causal")!.config);
    const info = readModelInfo(exportModel(model, "CartPole-v1"));
    model.dispose();
    assert.equal(info.opset, 17);
    assert.equal(info.producerName, "strl");
    const m = info.metadata;
    assert.equal(m.env_id, "CartPole-v1");
    assert.equal(m.model_kind, "strl");
    assert.equal(m.context_length, "5");
    assert.equal(m.rtg_scale, "10");
    assert.deepEqual(JSON.parse(m.state_mean!), [0.1, -0.2, 0.3]);
    assert.deepEqual(JSON.parse(m.state_std!), [1.5, 0.7, 2]);
    assert.deepEqual(JSON.parse(m.action_head!), { kind: "discrete", n: 3 });
    assert.equal(m.strl_version, "0.1.0");
  });
});
