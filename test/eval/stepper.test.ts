/**
 * The browser page's episode loop, in Node: `EpisodeStepper` plays the very episodes `evaluateClosedLoop` plays
 * (same seeds, mazes and actions), and `DecisionInspector` gives the energy per decision `evaluateWithEnergy`
 * gives for the same episode, with each decision's spikes, rates and ANN-STRL twin energy.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ready } from "../../src/tensor/index.js";
import { modelFromJSON } from "../../src/models/factory.js";
import type { PolicyModel } from "../../src/models/types.js";
import { EpisodeStepper } from "../../src/eval/stepper.js";
import { annTwinOf, DecisionInspector, type DecisionTrace } from "../../src/eval/decision.js";
import { evaluateClosedLoop, evaluateWithEnergy } from "../../src/eval/index.js";

const ENV = "MazeLocal-v0";
const OPTS = { size: 7 };
const MAX = 12;
let model: PolicyModel;

before(async () => {
  await ready();
  model = modelFromJSON({ kind: "strl", obsDim: 6, head: { kind: "discrete", n: 4 }, dModel: 32, nBlocks: 1, nHeads: 2, contextLength: 4, T: 4, rtgScale: 2, seed: 7, neuron: { vThreshold: 0.2 } });
  model.eval();
});

describe("EpisodeStepper", () => {
  it("takes the actions evaluateClosedLoop takes, episode by episode", async () => {
    const ref = await evaluateClosedLoop({ model, envId: ENV, envOptions: OPTS, targetReturns: [0.5], episodes: 2, seeds: [3], rtgScale: 2, maxSteps: MAX, recordActions: true });
    for (const e of ref.targets[0]!.episodes) {
      const s = new EpisodeStepper({ envId: ENV, envOptions: OPTS, model, targetReturn: 0.5, seed: 3, episode: e.episode, maxSteps: MAX });
      while (!s.done) await s.step();
      assert.deepEqual(s.actions, e.actions, `episode ${e.episode}`);
      assert.equal(s.mazeSeed, e.mazeSeed);
      assert.equal(s.return, e.return);
      assert.equal(s.success, e.success);
    }
    assert.throws(() => new EpisodeStepper({ envId: ENV, envOptions: OPTS, model, targetReturn: 0.5, seed: 3, episode: -1 }), /episode must be an integer >= 0/);
  });
});

describe("DecisionInspector", () => {
  it("gives evaluateWithEnergy's energy per decision for the episode, and per-decision spikes, rates and twin energy", async () => {
    const { energy } = await evaluateWithEnergy(model, { envId: ENV, envOptions: OPTS, targetReturns: [0.5], episodes: 1, seeds: [3], rtgScale: 2, maxSteps: MAX });
    const inspector = new DecisionInspector(model);
    const s = new EpisodeStepper({ envId: ENV, envOptions: OPTS, model, targetReturn: 0.5, seed: 3, maxSteps: MAX });
    let last: DecisionTrace | undefined;
    while (!s.done) {
      const tokens = Math.min(s.actions.length + 1, model.contextLength);
      await s.step(async (decide) => {
        const out = await inspector.inspect(tokens, decide);
        last = out.trace;
        return out.value;
      });
    }
    const ep = inspector.episodeEnergy()!;
    assert.equal(ep.model.decisions, energy.decisions);
    assert.ok(Math.abs(ep.model.energyPerDecisionPj - energy.energyPerDecisionPj) <= 1e-9 * energy.energyPerDecisionPj);
    const t = last!;
    const lifs = ["attn.q_lif", "attn.k_lif", "attn.v_lif", "attn.score_lif", "mlp.lif1", "mlp.lif2"].map((n) => `blocks.0.${n}`);
    assert.deepEqual(Object.keys(t.rates), lifs); // LIF layers only (no `<attn>.qk`)
    assert.ok(t.spikes.length > 0 && t.spikes.every((l) => l.spikes.length === 4));
    assert.ok(t.energyPj > 0 && t.annEnergyPj! > t.energyPj, "the ANN-STRL twin costs more");
    assert.ok(Number.isInteger(t.nearThreshold) && t.nearThreshold >= 0);
    inspector.resetEpisode();
    assert.equal(inspector.episodeEnergy(), undefined);
    inspector.detach();
    assert.equal(annTwinOf(modelFromJSON({ kind: "bc", obsDim: 6, head: { kind: "discrete", n: 4 } })), undefined);
  });
});
