/** Evaluation with the real models of src/models (tiny, untrained): the plumbing, not the returns. */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { memoryStats, ready } from "../../src/tensor/index.js";
import { AnnStrlModel, DtModel, StrlModel, type PolicyModel } from "../../src/models/index.js";
import { compareEnergy, evaluateWithEnergy } from "../../src/eval/measured-energy.js";
import { captureSpikes } from "../../src/eval/spikes.js";
import { TINY_MAZE } from "./fixtures.js";

before(async () => {
  await ready();
});

/** The LIFs of a one-block STRL, in module order (the names reports, rasters and the energy count use). */
const STRL_NEURONS = ["blocks.0.attn.q_lif", "blocks.0.attn.k_lif", "blocks.0.attn.v_lif", "blocks.0.attn.score_lif", "blocks.0.mlp.lif1", "blocks.0.mlp.lif2"];
const common = { obsDim: 2, head: { kind: "discrete" as const, n: 4 }, contextLength: 4, maxTimestep: 16, dModel: 8, nBlocks: 1, nHeads: 2, seed: 5, stateMean: [2, 2], stateStd: [1.5, 1.5], rtgScale: 2 };
const run = { envId: "Maze-v0", envOptions: { maze: TINY_MAZE, maxSteps: 8 }, targetReturns: [0.4], episodes: 2, seeds: [0], rtgScale: 2 };

describe("evaluation with the real models", () => {
  it("measures every spiking layer of STRL, none of ANN-STRL and DT, and one decision per step taken", async () => {
    const models: Array<[string, PolicyModel]> = [
      ["STRL", new StrlModel(common)],
      ["ANN-STRL", new AnnStrlModel(common)],
      ["DT", new DtModel(common)],
    ];
    const before = memoryStats().numTensors;
    const entries = [];
    for (const [name, model] of models) {
      const { closedLoop, energy } = await evaluateWithEnergy(model, run);
      const steps = closedLoop.targets[0]!.episodes.reduce((a, e) => a + e.length, 0);
      assert.equal(energy.decisions, steps, name);
      // every LIF the model's modules hold, plus the measured q·k coincidence rate after the score LIF; none for an ANN
      const expectKeys = model.kind === "strl" ? [...STRL_NEURONS.slice(0, 4), "blocks.0.attn.qk", ...STRL_NEURONS.slice(4)] : [];
      assert.deepEqual(Object.keys(energy.rates), expectKeys, name);
      assert.equal(energy.path, "last", name); // every model decides through forwardLast
      if (model.kind !== "strl") {
        // MACs per decision from the episodes' own lengths: step t of an episode sees L = min(t + 1, K) tokens, and
        // a decision over L tokens costs, by hand (d 8, 2 heads of 4, obs 2, 4 actions, MLP 8 -> 32 -> 8):
        // ANN-STRL: rtg 8L + state 16L + qkv 192L + scores and att·V 2 x 8·L(L+1)/2 + fc1 256 + fc2 256 + head 32
        //   = 8L² + 224L + 544: L = 1..4 -> 776, 1024, 1288, 1568;
        // DT (n = 3L tokens): rtg 8L + state 16L + qkv 192n + 2 x 8·n(n+1)/2 + proj 64 + fc1 256 + fc2 256 + head 32
        //   = 72L² + 624L + 608: L = 1..4 -> 1304, 2144, 3128, 4256.
        const byTokens = model.kind === "dt" ? [1304, 2144, 3128, 4256] : [776, 1024, 1288, 1568];
        let macs = 0;
        for (const e of closedLoop.targets[0]!.episodes) for (let t = 0; t < e.length; t++) macs += byTokens[Math.min(t + 1, 4) - 1]!;
        assert.equal(energy.macsPerDecision, macs / steps, name);
      }
      for (const [layer, r] of Object.entries(energy.rates)) assert.ok(r >= 0 && r <= 1, `${name} ${layer} rate ${r}`);
      assert.ok(energy.energyPerDecisionPj > 0 && Number.isFinite(energy.energyPerDecisionPj), name);
      if (model.kind !== "strl") assert.equal(energy.sopsPerDecision, 0, name);
      entries.push({ name, kind: model.kind, energyPerDecisionPj: energy.energyPerDecisionPj });
    }
    const cmp = compareEnergy(entries);
    assert.equal(cmp[0]!.ratioToAnn, entries[0]!.energyPerDecisionPj / entries[1]!.energyPerDecisionPj);
    assert.equal(cmp[2]!.ratioToAnn, entries[2]!.energyPerDecisionPj / entries[1]!.energyPerDecisionPj);
    assert.equal(memoryStats().numTensors, before, "evaluation leaked tensors");
  });

  it("captures a [T, neurons] 0/1 raster from each spiking layer of one STRL decision", async () => {
    const model = new StrlModel(common);
    const got = captureSpikes(model, () => {
      model.getAction({ observations: [[0, 1]], actions: [], returnsToGo: [0.4], timesteps: [0] });
    });
    assert.deepEqual(got.map((l) => l.layer), STRL_NEURONS); // all 6, the fused attention's 4 included
    for (const l of got) {
      assert.equal(l.spikes.length, 4, `${l.layer}: T = 4 rows`);
      for (const row of l.spikes) for (const v of row) assert.ok(v === 0 || v === 1, `${l.layer}: ${v}`);
    }
  });
});
