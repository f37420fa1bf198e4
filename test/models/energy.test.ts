import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ready } from "../../src/tensor/index.js";
import { FiringRateMonitor } from "../../src/snn/index.js";
import { energyReport } from "../../src/energy/index.js";
import { AnnStrlModel, BcModel, DtModel, StrlModel } from "../../src/models/index.js";
import { DISCRETE, OBS, allWindows, fitUntil, tinyDataset } from "./fixtures.js";

const K = 4;
const tr = { obsDim: OBS, head: DISCRETE, contextLength: K, maxTimestep: 16, dropout: 0, seed: 5, dModel: 8, nBlocks: 1, nHeads: 2 };

describe("energy records and firing rates", () => {
  before(async () => {
    await ready();
  });

  it("lists STRL's operations of one decision by hand: real layers once, spike layers with T and the rate", () => {
    const m = new StrlModel(tr);
    const rates = Object.fromEntries(m.spikingLayers().map(([n], i) => [n, 0.1 * (i + 1)]));
    // L = 3 tokens, d 8, 2 heads of 4, causal pairs per head 3·4/2 = 6 -> 6 · 2 · 4 = 48 per product
    assert.deepEqual(m.opRecords(3, rates), [
      { layer: "embed.rtg", input: "real", macs: 24 },
      { layer: "embed.state", input: "real", macs: 72 },
      { layer: "blocks.0.attn.qkv", input: "real", macs: 576, repeats: 1 },
      { layer: "blocks.0.attn.scores", input: "spike", macs: 48, T: 4, rate: 0.1 },
      { layer: "blocks.0.attn.av", input: "spike", macs: 48, T: 4, rate: 0.30000000000000004 },
      { layer: "blocks.0.mlp.fc1", input: "real", macs: 768, repeats: 1 },
      { layer: "blocks.0.mlp.fc2", input: "spike", macs: 768, T: 4, rate: 0.5 },
      { layer: "head", input: "real", macs: 72 },
    ]);
    assert.deepEqual(
      m.spikingLayers().map(([n]) => n),
      ["blocks.0.attn.q_lif", "blocks.0.attn.k_lif", "blocks.0.attn.v_lif", "blocks.0.attn.score_lif", "blocks.0.mlp.lif1", "blocks.0.mlp.lif2"],
    );
    assert.throws(() => m.opRecords(3, {}), /rates\['blocks\.0\.attn\.q_lif'\] must be a firing rate in \[0, 1\], got undefined/);
    assert.throws(() => m.opRecords(5, rates), /tokens must be an integer in \[1, 4\]/);
    // paper mode scores all L² pairs: 9 · 2 · 4 = 72
    assert.equal(new StrlModel({ ...tr, causal: false }).opRecords(3, rates)[3]!.macs, 72);
  });

  it("counts the Decision Transformer over its 3L interleaved tokens and BC over its layers", () => {
    const dt = new DtModel(tr).opRecords(2, {});
    // 6 tokens: qkv 6·8·24, causal pairs 21 · d 8, proj 6·8·8, fc1 6·8·32, fc2 6·32·8; head on the 2 state tokens
    assert.deepEqual(dt.map((r) => r.macs), [16, 48, 1152, 168, 168, 384, 1536, 1536, 48]);
    const bc = new BcModel({ obsDim: OBS, head: DISCRETE, contextLength: K, hidden: [5], pastStates: 1 }).opRecords(2, {});
    assert.deepEqual(bc, [
      { layer: "mlp.0", input: "real", macs: 60 },
      { layer: "head", input: "real", macs: 30 },
    ]);
  });

  it("a trained STRL fires in every layer at rates in [0, 1], and its energy per decision is below ANN-STRL's", () => {
    const batch = allWindows(tinyDataset("discrete"), K);
    const strl = new StrlModel({ ...tr, dModel: 16 });
    fitUntil(strl, batch, { lr: 1e-2, maxSteps: 60, target: 1.01, every: 60 });
    const mon = new FiringRateMonitor().attach(strl.spikingLayers());
    strl.eval();
    strl.forward(batch).preds.dispose();
    const rates = Object.fromEntries(Object.entries(mon.rates()).map(([n, r]) => [n, r.rate]));
    assert.equal(Object.keys(rates).length, 6);
    for (const [n, r] of Object.entries(rates)) assert.ok(r > 0 && r <= 1, `${n}: rate ${r}`);
    const ann = new AnnStrlModel({ ...tr, dModel: 16 });
    const eStrl = energyReport(strl.opRecords(K, rates)).energyPerDecisionPj;
    const eAnn = energyReport(ann.opRecords(K, {})).energyPerDecisionPj;
    assert.ok(eStrl > 0 && eStrl < eAnn, `STRL ${eStrl} pJ vs ANN-STRL ${eAnn} pJ`);
    // the real-input layers cost the same in both; the difference is the spike layers' SOPs
    const annMacs = ann.opRecords(K, {}).filter((r) => /scores|av|fc2/.test(r.layer));
    const strlSpike = strl.opRecords(K, rates).filter((r) => r.input === "spike");
    const saved = annMacs.reduce((a, r) => a + r.macs * 4.6, 0) - strlSpike.reduce((a, r) => a + (r.input === "spike" ? r.T * r.rate * r.macs * 0.9 : 0), 0);
    assert.ok(Math.abs(eAnn - eStrl - saved) < 1e-6 * eAnn);
    strl.dispose();
    ann.dispose();
  });
});
