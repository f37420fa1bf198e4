import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ready } from "../../src/tensor/index.js";
import { FiringRateMonitor, LIF, namedNeurons } from "../../src/snn/index.js";
import { energyReport, type OpRecord } from "../../src/energy/index.js";
import { AnnStrlModel, BcModel, DtModel, StrlModel } from "../../src/models/index.js";
import { DISCRETE, OBS, allWindows, fitUntil, tinyDataset } from "./fixtures.js";

const K = 4;
const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${a} != ${b}`);
const tr = { obsDim: OBS, head: DISCRETE, contextLength: K, maxTimestep: 16, dropout: 0, seed: 5, dModel: 8, nBlocks: 1, nHeads: 2 };

describe("energy records and firing rates", () => {
  before(async () => {
    await ready();
  });

  it("lists STRL's operations of one decision by hand: real layers once, spike layers with T and the rate", () => {
    const m = new StrlModel(tr);
    const rates = Object.fromEntries(namedNeurons(m).map(([n], i) => [n, 0.1 * (i + 1)]));
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
      namedNeurons(m).map(([n]) => n),
      ["blocks.0.attn.q_lif", "blocks.0.attn.k_lif", "blocks.0.attn.v_lif", "blocks.0.attn.score_lif", "blocks.0.mlp.lif1", "blocks.0.mlp.lif2"],
    );
    assert.throws(() => m.opRecords(3, {}), /rates\['blocks\.0\.attn\.q_lif'\] must be a firing rate in \[0, 1\], got undefined/);
    assert.throws(() => m.opRecords(5, rates), /tokens must be an integer in \[1, 4\]/);
    // paper mode scores all L² pairs: 9 · 2 · 4 = 72
    assert.deepEqual(new StrlModel({ ...tr, causal: false }).opRecords(3, rates)[3], { layer: "blocks.0.attn.scores", input: "spike", macs: 72, T: 4, rate: 0.1 });
  });

  it("counts the Decision Transformer over its 3L interleaved tokens and BC over its layers", () => {
    const dt = new DtModel(tr).opRecords(2, {});
    // 6 tokens: qkv 6·8·24, causal pairs 21 · d 8, proj 6·8·8, fc1 6·8·32, fc2 6·32·8; head on the 2 state tokens
    assert.deepEqual(dt.map((r) => (r.input === "add" ? -1 : r.macs)), [16, 48, 1152, 168, 168, 384, 1536, 1536, 48]);
    const bc = new BcModel({ obsDim: OBS, head: DISCRETE, contextLength: K, hidden: [5], pastStates: 1 }).opRecords(2, {});
    assert.deepEqual(bc, [
      { layer: "mlp.0", input: "real", macs: 60 },
      { layer: "head", input: "real", macs: 30 },
    ]);
  });

  it("charges hand-computed energies at a given firing pattern: full pass, forwardLast, coincidences, extras", () => {
    const m = new StrlModel(tr);
    const rates: Record<string, number> = { "blocks.0.attn.q_lif": 0.1, "blocks.0.attn.k_lif": 0.2, "blocks.0.attn.v_lif": 0.3, "blocks.0.attn.score_lif": 0.4, "blocks.0.mlp.lif1": 0.5, "blocks.0.mlp.lif2": 0.6 };
    // full, q's rate: real MACs 24 + 72 + 576 + 768 + 72 = 1512 x 4.6 = 6955.2 pJ;
    // SOPs 4·0.1·48 + 4·0.3·48 + 4·0.5·768 = 19.2 + 57.6 + 1536 = 1612.8 x 0.9 = 1451.52 pJ
    close(energyReport(m.opRecords(3, rates)).energyPerDecisionPj, 8406.72);
    // forwardLast with the measured coincidence rate 0.05: fc1 1·8·32 = 256, head 1·8·3 = 24 ->
    // MACs 24 + 72 + 576 + 256 + 24 = 952 x 4.6 = 4379.2; SOPs 4·0.05·48 + 57.6 + 4·0.5·256 = 579.2 x 0.9 = 521.28
    const withQk = { ...rates, "blocks.0.attn.qk": 0.05 };
    close(energyReport(m.opRecords(3, withQk, { path: "last" })).energyPerDecisionPj, 4900.48);
    close(energyReport(m.opRecords(3, withQk, { path: "last", qk: "q-rate" })).energyPerDecisionPj, 4900.48 + 4 * 0.05 * 48 * 0.9);
    // extras: LayerNorms (the embedding's, ln1, ln2) 3 x 4·3·8 = 288, softmax 3 x 12 cells x T 4 = 144, LIF updates
    // 4 x (3·3·8 + 12) + 4 x 3 x 40 = 816 -> 1248 MACs x 4.6 = 5740.8; adds: the embedding sum 4·3·8 = 96, mean
    // over T 2 x 3·3·8 = 144, residuals 2 x 24 = 48 -> 288 x 0.9 = 259.2; 5740.8 + 259.2 = 6000
    close(energyReport(m.opRecords(3, rates, { extras: true })).energyPerDecisionPj, 8406.72 + 6000);
    m.dispose();
  });

  it("counts every LayerNorm in the extras: STRL's and ANN-STRL's embedding norm, the DT's embedding and final norms", () => {
    const ext = (recs: OpRecord[]): Array<[string, number]> => recs.filter((r) => !["embed.rtg", "embed.state", "head"].includes(r.layer) && !/\.(qkv|scores|av|proj|fc1|fc2)$/.test(r.layer)).map((r) => [r.layer, r.input === "add" ? r.adds : r.macs]);
    // ANN-STRL, L = 3, d 8, 2 heads (12 causal score cells), T = 1: the activation replaces each LIF (1 MAC per
    // element): q|k|v 3·3·8 + 12 scores = 84, MLP 3·(32 + 8) = 120; LayerNorms 4·3·8 = 96 each; softmax 3·12 = 36
    const ann = new AnnStrlModel(tr);
    assert.deepEqual(ext(ann.opRecords(3, {}, { extras: true })), [
      ["embed.sum", 96], ["embed.ln", 96], ["blocks.0.ln1", 96], ["blocks.0.attn.softmax", 36], ["blocks.0.attn.act", 84],
      ["blocks.0.residual1", 24], ["blocks.0.ln2", 96], ["blocks.0.mlp.act", 120], ["blocks.0.residual2", 24],
    ]);
    // on the decision path everything after the last block's attention runs on one row: residuals 8 adds each,
    // ln2 4·8 = 32, MLP activations 32 + 8 = 40
    assert.deepEqual(ext(ann.opRecords(3, {}, { path: "last", extras: true })).slice(5), [
      ["blocks.0.residual1", 8], ["blocks.0.ln2", 32], ["blocks.0.mlp.act", 40], ["blocks.0.residual2", 8],
    ]);
    ann.dispose();
    // DT, L = 2 -> 6 tokens, d 8, 2 heads: causal pairs 6·7/2 = 21 x 2 heads = 42 cells. Full pass: embedding sum
    // (the timestep added to R, s, a) 3·2·8 = 48 adds; LayerNorms 4·6·8 = 192 each (embedding, ln1, ln2, final);
    // softmax 3·42 = 126; activation 6·32 = 192; residuals 2·6·8 = 96 adds
    const dt = new DtModel(tr);
    assert.deepEqual(ext(dt.opRecords(2, {}, { extras: true })), [
      ["embed.sum", 48], ["embed.ln", 192], ["blocks.0.ln1", 192], ["blocks.0.attn.softmax", 126], ["blocks.0.ln2", 192],
      ["blocks.0.mlp.act", 192], ["blocks.0.residual", 96], ["ln_f", 192],
    ]);
    // decision path (the block is the last): after the attention one row: ln2 4·8 = 32, activation 32, residuals
    // 2·8 = 16, final LayerNorm 32; projection 1·8·8 = 64, fc1 1·8·32 = 256, fc2 256, head 1·8·3 = 24
    const last = dt.opRecords(2, {}, { path: "last", extras: true });
    assert.deepEqual(ext(last), [
      ["embed.sum", 48], ["embed.ln", 192], ["blocks.0.ln1", 192], ["blocks.0.attn.softmax", 126], ["blocks.0.ln2", 32],
      ["blocks.0.mlp.act", 32], ["blocks.0.residual", 16], ["ln_f", 32],
    ]);
    assert.deepEqual(last.filter((r) => r.input === "real" && !ext([r]).length).map((r) => (r as { macs: number }).macs), [16, 48, 1152, 168, 168, 64, 256, 256, 24]);
    dt.dispose();
  });

  it("measures q·k coincidences in the fused kernel: q (1,0),(1,1) x k (1,1),(0,1), causal -> 4 of 6 per step", async () => {

    const { fusedSpikingAttention } = await import("../../src/models/blocks/fused-spiking-attention.js");
    const { readRates } = await import("../../src/eval/measured-energy.js");
    const { tensor } = await import("../../src/tensor/index.js");
    const lifs = { q: new LIF({}, "a.q_lif"), k: new LIF({}, "a.k_lif"), v: new LIF({}, "a.v_lif"), attn: new LIF({}, "a.score_lif") };
    const mon = new FiringRateMonitor().attach(Object.values(lifs).map((l) => [l.name, l] as [string, typeof l]));
    // [B=1, K=2, 3d = 6]: q | k | v per token; 3 fires every step, 0 never
    const qkv = tensor([3, 0, 3, 3, 3, 3, 3, 3, 0, 3, 0, 0], [1, 2, 6]);
    fusedSpikingAttention(qkv, lifs, { T: 4, nHeads: 1, causal: true, scale: 1, attention: "strl", keyMask: new Uint8Array([1, 1]) }).dispose();
    // cells (0,0): q0·k0 = 1; (1,0): q1·k0 = 2; (1,1): q1·k1 = 1 -> 4 coincidences of 3 cells x dh 2, each of T = 4 steps
    const r = mon.rates()["a.score_lif"]!;
    assert.equal(r.events, 16);
    assert.equal(r.eventCapacity, 24);
    assert.equal(readRates(mon)["a.qk"], 4 / 6);
    assert.equal(readRates(mon)["a.q_lif"], 3 / 4); // q's rate: the old convention would charge 0.75, not 0.67
  });

  it("a trained STRL fires in every one of its 6 layers, on real tokens only", () => {
    const batch = allWindows(tinyDataset("discrete"), K);
    const strl = new StrlModel({ ...tr, dModel: 16 });
    fitUntil(strl, batch, { lr: 1e-2, maxSteps: 60, target: 1.01, every: 60 });
    const mon = new FiringRateMonitor().attach(strl);
    strl.eval();
    mon.setTokens(batch.mask, batch.B, batch.K);
    strl.forward(batch).preds.dispose();
    const rates = mon.rates();
    assert.equal(Object.keys(rates).length, 6);
    let real = 0;
    for (let i = 0; i < batch.mask.length; i++) real += batch.mask[i]!;
    // q's neuron-steps are exactly T x real tokens x d: padding is not counted
    assert.equal(rates["blocks.0.attn.q_lif"]!.neuronSteps, 4 * real * 16);
    for (const [n, r] of Object.entries(rates)) assert.ok(r.spikes > 0 && r.rate <= 1, `${n}: ${r.spikes} spikes`);
    strl.dispose();
  });
});
