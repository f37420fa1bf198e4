import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ready } from "../../src/tensor/index.js";
import { SRAM_45NM, checkMemoryProfile, checkProfile, memoryReport, type MemoryRecord } from "../../src/energy/index.js";
import { AnnStrlModel, DtModel, StrlModel } from "../../src/models/index.js";
import { executedOps } from "../../src/models/blocks/memory-counts.js";
import { DISCRETE, OBS } from "./fixtures.js";

const close = (a: number, b: number, what = ""): void => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what} ${a} != ${b}`);
const tr = { obsDim: OBS, head: DISCRETE, contextLength: 4, maxTimestep: 16, dropout: 0, seed: 5, dModel: 8, nBlocks: 1, nHeads: 2 };
const RATES = { "blocks.0.attn.q_lif": 0.1, "blocks.0.attn.k_lif": 0.2, "blocks.0.attn.v_lif": 0.3, "blocks.0.attn.score_lif": 0.4, "blocks.0.attn.qk": 0.05, "blocks.0.mlp.lif1": 0.5, "blocks.0.mlp.lif2": 0.6 };

function sumBy(recs: MemoryRecord[], what: MemoryRecord["what"]): { reads: number; writes: number } {
  const r = recs.filter((x) => x.what === what);
  return { reads: r.reduce((a, x) => a + x.reads, 0), writes: r.reduce((a, x) => a + x.writes, 0) };
}

describe("memory-access model", () => {
  before(async () => {
    await ready();
  });

  it("prices words read and written at the profile's pJ per word, split by what is moved", () => {
    const r = memoryReport([
      { layer: "a", what: "weights", reads: 10, writes: 0 },
      { layer: "b", what: "activations", reads: 2, writes: 3 },
      { layer: "c", what: "membrane", reads: 4, writes: 4 },
    ], { name: "m", readPj: 5, writePj: 7 });
    // weights 10 x 5 = 50; activations 2 x 5 + 3 x 7 = 31; membrane 4 x 5 + 4 x 7 = 48; total 129
    assert.deepEqual([r.weightsPj, r.activationsPj, r.membranePj, r.totalPj, r.readWords, r.writeWords], [50, 31, 48, 129, 16, 7]);
    assert.deepEqual(SRAM_45NM, { name: "45nm-sram-8kB", readPj: 5, writePj: 5 }); // Horowitz: 10 pJ per 64 bits
    assert.throws(() => checkMemoryProfile({ name: "x", readPj: -1, writePj: 1 }), /readPj must be a finite number >= 0, got -1/);
    assert.deepEqual(checkProfile({ name: "p", eMacPj: 1, eAcPj: 0.5, memory: { name: "m", readPj: 2, writePj: 3 } }).memory, { name: "m", readPj: 2, writePj: 3 });
    assert.throws(() => checkProfile({ name: "p", eMacPj: 1, eAcPj: 0.5, memory: { name: "m", readPj: 2 } }), /writePj must be a finite number >= 0, got undefined/);
  });

  it("counts one STRL decision by hand: 1,715.2 weight words, 840.5 + 570.5 activation words, 496 + 496 membrane words", () => {
    const m = new StrlModel(tr);
    // L = 3 tokens, d 8, T 4, 2 heads of 4: 12 causal score cells per step, 48 (cell, channel) pairs; path "last":
    // the residuals, ln2, the MLP and the head on one row. Executed ops: rtg 3·1·8 = 24, state 3·3·8 = 72, qkv 3·8·24 = 576, scores
    // 4 x 0.05 x 48 = 9.6 SOPs, att·V 4 x 0.3 x 48 = 57.6, fc1 1·8·32 = 256, fc2 4 x 0.5 x 256 = 512, head 1·8·3 = 24.
    // Weights read (one word per MAC / SOP, table rows, norm gain and bias): 24 + 72 + 576 + 9.6 + 57.6 + 256 + 512
    //   + 24 = 1531.2; lookups prev action 24, timestep 24, positions 24; LayerNorm params 2·24 (embedding) +
    //   2·24 (ln1) + 2·8 (ln2) = 112 -> 1531.2 + 72 + 112 = 1715.2.
    // Activations read: rtg 3, state 9, sum 4·24 = 96, embed.ln 24, ln1 24, qkv 24, q|k|v LIF inputs 4·72 = 288,
    //   scores (q spikes 4·24 bits) 3, score LIF inputs 4·12 = 48, softmax (score spikes 48 bits) 1.5, att·V (v
    //   spikes 96 bits) 3, mean over T 4·24 = 96, residual on the last row 2·8 = 16, ln2 8, fc1 8, lif1 inputs
    //   4·32 = 128, fc2 (lif1 spikes 128 bits) 4, lif2 inputs 4·8 = 32, mean over T (32 bits) 1, residual 2·8 = 16,
    //   head 8 -> 840.5.
    // Activations written: rtg, state, prev action, timestep, sum, embed.ln, ln1 24 each = 168, qkv 72, q|k|v
    //   spikes 288 bits = 9, scores 4·12 = 48, score spikes 1.5, softmax 48, att·V 4·24 = 96, mean 24, residual
    //   8, ln2 8, fc1 32, lif1 spikes 4, fc2 4·8 = 32, lif2 spikes 1, mean 8, residual 8, head 3 -> 570.5.
    // Membranes, read and written per neuron-step: q|k|v 72 x 4 + scores 12 x 4 + lif1 32 x 4 + lif2 8 x 4 = 496.
    const recs = m.memoryRecords(3, RATES, { path: "last" });
    close(sumBy(recs, "weights").reads, 1715.2, "weight words");
    assert.equal(sumBy(recs, "weights").writes, 0);
    assert.deepEqual(sumBy(recs, "activations"), { reads: 840.5, writes: 570.5 });
    assert.deepEqual(sumBy(recs, "membrane"), { reads: 496, writes: 496 });
    // at 5 pJ per word: weights 8,576 + activations 1,411 x 5 = 7,055 + membranes 992 x 5 = 4,960 -> 20,591 pJ
    const r = memoryReport(recs);
    close(r.weightsPj, 8576, "weights");
    close(r.activationsPj, 7055, "activations");
    close(r.membranePj, 4960, "membrane");
    close(r.totalPj, 20591, "total");
    m.dispose();
  });

  it("reads one weight word per MAC or SOP the op records charge, in every model and on both paths", () => {
    const models = [new StrlModel(tr), new AnnStrlModel(tr), new DtModel(tr)];
    for (const model of models) {
      for (const path of ["full", "last"] as const) {
        const ops = executedOps(model.opRecords(3, RATES, { path }));
        const reads = new Map<string, number>();
        for (const r of model.memoryRecords(3, RATES, { path })) if (r.what === "weights") reads.set(r.layer, r.reads);
        for (const [layer, n] of ops) assert.equal(reads.get(layer), n, `${model.kind} ${path} ${layer}`);
      }
      model.dispose();
    }
  });

  it("charges an ANN no membrane and STRL's membranes in proportion to T", () => {
    const ann = new AnnStrlModel(tr);
    assert.deepEqual(sumBy(ann.memoryRecords(3, {}), "membrane"), { reads: 0, writes: 0 });
    ann.dispose();
    const at = (T: number): number => {
      const m = new StrlModel({ ...tr, T });
      const n = sumBy(m.memoryRecords(3, RATES), "membrane").reads;
      m.dispose();
      return n;
    };
    // full pass, L = 3: neurons q|k|v 72 + scores 12 + lif1 3·32 = 96 + lif2 3·8 = 24 = 204 per step
    assert.equal(at(1), 204);
    assert.equal(at(4), 816);
  });
});
