import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ready, tensor, zeros } from "../../src/tensor/index.js";
import { LIF } from "../../src/snn/index.js";
import { CMOS_45NM, memoryReport } from "../../src/energy/index.js";
import { AnnStrlModel } from "../../src/models/index.js";
import { compareEnergy, decisionSpread, energyOfDecisions, evaluateWithEnergy, measureEnergy, TokenHistogram } from "../../src/eval/measured-energy.js";
import type { ModelBatch } from "../../src/models/types.js";
import { MazeLookupModel, TINY_MAZE } from "./fixtures.js";

before(async () => {
  await ready();
});

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

describe("energy per decision", () => {
  it("weights each context size by its number of decisions (records by hand)", () => {
    const model = new MazeLookupModel(3, [0, 0], [1, 1]);
    const h = new TokenHistogram();
    h.add(1, 2);
    h.add(3);
    const e = energyOfDecisions(model, h, { lif: 0.25 });
    // embed: 10 MACs per token, 1+1+3 tokens -> 50 MACs x 4.6 pJ = 230 pJ
    // attn: T 4 x rate 0.25 x 100 per token x 5 tokens = 500 SOPs x 0.9 pJ = 450 pJ
    assert.equal(e.decisions, 3);
    close(e.meanTokens, 5 / 3);
    close(e.report.layers[0]!.energyPj, 230);
    close(e.report.layers[1]!.sops, 500);
    close(e.energyPerDecisionPj, 680 / 3);
    close(e.macsPerDecision, 50 / 3);
    close(e.sopsPerDecision, 500 / 3);
  });

  it("measures the firing rate on offline windows over real tokens: 1.5, 3, (pad 9), 1.5 fire 2 + 4 + 2 of 12 steps", () => {
    const lif = new LIF({}, "lif");
    // a model whose LIF is driven by the raw state values (obsDim 1), padding included
    class StateDriven extends MazeLookupModel {
      override forward(batch: ModelBatch) {
        lif.forwardRepeated(tensor(batch.states, [batch.B, batch.K, 1]), 4, { mean: true }); // [B, K, 1]
        return { preds: zeros([batch.B, batch.K, 4]) };
      }
    }
    const model = new StateDriven(2, [0], [1], lif);
    const batch: ModelBatch = {
      B: 2,
      K: 2,
      states: new Float32Array([1.5, 3, 9, 1.5]), // [B, K, 1]; the padding (9) would fire 4 of 4
      rtg: new Float32Array(4),
      timesteps: new Int32Array(4),
      actions: new Int32Array(4),
      prevActions: new Int32Array(4),
      mask: new Float32Array([1, 1, 0, 1]),
    };
    const e = measureEnergy(model, [batch]);
    assert.equal(e.rates.lif, 8 / 12); // 8 spikes / (3 real neurons x T 4); padded: 12 / 16
    assert.equal(e.path, "full");
    assert.equal(e.decisions, 2);
    close(e.meanTokens, 1.5); // 2 real tokens + 1 real token
  });

  it("counts the decisions and real-token firing rate of a closed-loop run: tokens 1, 2, 3, 3, 3, 3 of K = 3, rate 1", async () => {
    const model = new MazeLookupModel(3, [2, 2], [1, 1], new LIF({}, "lif"));
    const { closedLoop, energy } = await evaluateWithEnergy(model, {
      envId: "Maze-v0",
      envOptions: { maze: TINY_MAZE },
      targetReturns: [0.4],
      episodes: 1,
      seeds: [0],
      rtgScale: 1,
    });
    close(closedLoop.targets[0]!.returnMean, 0.4);
    assert.equal(energy.decisions, 6);
    close(energy.meanTokens, 15 / 6);
    // real tokens fire at all 4 steps, padding never: 15 x 4 spikes over the 15 real tokens x 4 steps (the padded
    // count would be 60 / 72 = 5/6)
    close(energy.rates.lif!, 1);
    // per decision: embed 10 x 2.5 tokens x 4.6 pJ + attn 4 x 1 x 100 x 2.5 x 0.9 pJ
    close(energy.energyPerDecisionPj, 10 * 2.5 * 4.6 + 4 * 1 * 100 * 2.5 * 0.9);
    // the same operations under the int8 profile: 0.23 pJ per MAC, 0.03 pJ per accumulate
    close(energy.int8PerDecisionPj, 10 * 2.5 * 0.23 + 4 * 100 * 2.5 * 0.03);
    // each decision alone: 406 pJ per token (46 + 360) x tokens 1, 2, 3, 3, 3, 3; sample std = 406 x sqrt(3.5 / 5)
    const d = energy.perDecision!;
    close(d.energyMinPj, 406);
    close(d.energyMaxPj, 1218);
    close(d.energyStdPj, 406 * Math.sqrt(0.7));
    assert.deepEqual(d.rates, { lif: { min: 1, max: 1, std: 0 } });
  });

  it("prices each decision with its own rates; a layer that did not run keeps the pooled rate", () => {
    const model = new MazeLookupModel(3, [0, 0], [1, 1]);
    // two decisions of 2 tokens, the LIF at 4/8 then 0/8: 2 x 10 x 4.6 = 92 pJ + 4 x rate x 100 x 2 x 0.9 pJ
    const two = decisionSpread(model, [2, 2], [{ lif: { spikes: 4, steps: 8 } }, { lif: { spikes: 0, steps: 8 } }], { lif: 0.25 }, CMOS_45NM, {})!;
    close(two.energyMaxPj, 92 + 360);
    close(two.energyMinPj, 92);
    close(two.energyStdPj, 360 / Math.SQRT2);
    close(two.rates.lif!.max, 0.5);
    close(two.rates.lif!.std, 0.5 / Math.SQRT2);
    // the second decision did not run the LIF: priced at the pooled 0.25 (92 + 180), and no rate recorded for it
    const idle = decisionSpread(model, [2, 2], [{ lif: { spikes: 4, steps: 8 } }, { lif: { spikes: 0, steps: 0 } }], { lif: 0.25 }, CMOS_45NM, {})!;
    close(idle.energyMinPj, 92 + 180);
    assert.deepEqual(idle.rates, { lif: { min: 0.5, max: 0.5, std: 0 } });
  });

  it("carries the extras' energy (by hand) and the memory energy beside the compute energy, never inside it", () => {
    const ann = new AnnStrlModel({ obsDim: 2, head: { kind: "discrete", n: 4 }, contextLength: 4, dModel: 8, nBlocks: 1, nHeads: 2, seed: 1 });
    const h = new TokenHistogram();
    h.add(1, 2);
    h.add(3);
    const e = energyOfDecisions(ann, h, {});
    // extras of one decision over L tokens (d 8, 2 heads): LayerNorms 3 x 4·L·8, softmax 3 x cells, activations
    // 3·L·8 + cells + L·40 (MACs); embedding sum 4·L·8 and residuals 2 x L·8 (adds).
    // L = 1 (2 cells): MACs 96 + 6 + 26 + 40 = 168 x 4.6 = 772.8, adds 48 x 0.9 = 43.2 -> 816 pJ
    // L = 3 (12 cells): MACs 288 + 36 + 84 + 120 = 528 x 4.6 = 2428.8, adds 144 x 0.9 = 129.6 -> 2558.4 pJ
    close(e.extrasPerDecisionPj!, (2 * 816 + 2558.4) / 3);
    const without = energyOfDecisions(ann, h, {}, CMOS_45NM, { extras: false });
    const withExtras = energyOfDecisions(ann, h, {}, CMOS_45NM, { extras: true });
    close(withExtras.energyPerDecisionPj, without.energyPerDecisionPj + e.extrasPerDecisionPj!);
    close(withExtras.extrasPerDecisionPj!, e.extrasPerDecisionPj!);
    // memory: the decisions' traffic weighted as the compute, at the profile's memory (default 5 pJ per word)
    const words = (L: number): number => memoryReport(ann.memoryRecords(L, {})).totalPj;
    close(e.memoryPerDecisionPj!, (2 * words(1) + words(3)) / 3);
    close(e.allInPerDecisionPj!, withExtras.energyPerDecisionPj + e.memoryPerDecisionPj!);
    const free = energyOfDecisions(ann, h, {}, { ...CMOS_45NM, memory: { name: "free", readPj: 0, writePj: 0 } });
    assert.equal(free.memoryPerDecisionPj, 0);
    close(free.energyPerDecisionPj, e.energyPerDecisionPj);
    // a model that does not list its memory traffic gets no memory number
    assert.equal(energyOfDecisions(new MazeLookupModel(3, [0, 0], [1, 1]), h, { lif: 0.25 }).memoryPerDecisionPj, undefined);
    ann.dispose();
  });

  it("gives the all-in ratios where both sides have an all-in energy", () => {
    const rows = compareEnergy([
      { name: "STRL", kind: "strl", energyPerDecisionPj: 30, allInPerDecisionPj: 90 },
      { name: "ANN-STRL", kind: "ann-strl", energyPerDecisionPj: 120, allInPerDecisionPj: 60 },
      { name: "DT", kind: "dt", energyPerDecisionPj: 200 },
    ]);
    assert.deepEqual(rows.map((r) => [r.name, r.allInRatioToAnn, r.allInRatioToDt]), [
      ["STRL", 1.5, undefined],
      ["ANN-STRL", 1, undefined],
      ["DT", undefined, undefined],
    ]);
  });

  it("gives each model's ratio to ANN-STRL and DT", () => {
    const rows = compareEnergy([
      { name: "STRL", kind: "strl", energyPerDecisionPj: 30 },
      { name: "ANN-STRL", kind: "ann-strl", energyPerDecisionPj: 120 },
      { name: "DT", kind: "dt", energyPerDecisionPj: 200 },
    ]);
    assert.deepEqual(rows.map((r) => [r.name, r.ratioToAnn, r.ratioToDt]), [
      ["STRL", 0.25, 0.15],
      ["ANN-STRL", 1, 0.6],
      ["DT", 200 / 120, 1],
    ]);
    const noDt = compareEnergy([{ name: "a", kind: "strl", energyPerDecisionPj: 1 }, { name: "b", kind: "ann-strl", energyPerDecisionPj: 4 }]);
    assert.equal(noDt[0]!.ratioToDt, undefined);
    assert.equal(noDt[0]!.ratioToAnn, 0.25);
  });

  it("asks for a baseline name when a kind is ambiguous, and rejects NaN energies", () => {
    const two = [
      { name: "dt-1", kind: "dt" as const, energyPerDecisionPj: 1 },
      { name: "dt-2", kind: "dt" as const, energyPerDecisionPj: 2 },
    ];
    assert.throws(() => compareEnergy(two), /several 'dt' entries \(dt-1, dt-2\); name the DT baseline/);
    assert.equal(compareEnergy(two, { dt: "dt-2" })[0]!.ratioToDt, 0.5);
    assert.throws(() => compareEnergy([{ name: "x", kind: "strl", energyPerDecisionPj: NaN }]), /'x' energyPerDecisionPj must be a finite number >= 0, got NaN/);
    assert.throws(() => compareEnergy([]), /needs at least one entry/);
  });
});
