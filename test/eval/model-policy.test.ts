import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ready } from "../../src/tensor/index.js";
import { modelPolicy, modelRtgScale } from "../../src/eval/model-policy.js";
import type { DecisionContext } from "../../src/eval/policy.js";
import type { PolicyModel } from "../../src/models/types.js";
import { make } from "../../src/envs/index.js";
import { Rng } from "../../src/tensor/rng.js";
import { MazeLookupModel, TINY_MAZE } from "./fixtures.js";
import { assertClose } from "../helpers.js";

before(async () => {
  await ready();
});

function ctx(t: number): DecisionContext {
  const observations = [[0, 1], [1, 1], [2, 1], [2, 2]].slice(0, t + 1);
  const actions = [1, 1, 3].slice(0, t);
  const returnsToGoUnscaled = [1, 1.1, 1.2, 1.3].slice(0, t + 1);
  return {
    observations,
    actions,
    rewards: actions.map(() => -0.1),
    returnsToGo: returnsToGoUnscaled.map((g) => g / 2),
    returnsToGoUnscaled,
    timestep: t,
    targetReturn: 1,
    env: make("Maze-v0", { maze: TINY_MAZE }),
    rng: new Rng(0),
  };
}

describe("modelPolicy", () => {
  it("hands the model its history (unscaled rtg, timesteps 0..t) and reports the real token count", async () => {
    const model = new MazeLookupModel(3, [1, 2], [2, 4], undefined, 2);
    const tokens: number[] = [];
    const p = modelPolicy(model, { onForward: (n) => tokens.push(n) });
    assert.equal(await p.act(ctx(0)), 1);
    assert.equal(await p.act(ctx(3)), 3); // at (2, 2) the path goes down
    assert.deepEqual(tokens, [1, 3]);
    const h = model.histories[1]!;
    assert.deepEqual(h.observations, [[0, 1], [1, 1], [2, 1], [2, 2]]);
    assert.deepEqual(h.actions, [1, 1, 3]);
    assertClose(h.returnsToGo as number[], [1, 1.1, 1.2, 1.3]);
    assert.deepEqual(Array.from(h.timesteps), [0, 1, 2, 3]);
    // first decision: left-padded, placeholder previous action, state ((0 - 1) / 2, (1 - 2) / 4), rtg 1 / 2
    const b = model.batches[0]!;
    assertClose(b.states, [0, 0, 0, 0, -0.5, -0.25]);
    assertClose(b.rtg, [0, 0, 0.5]);
    assert.deepEqual(Array.from(b.prevActions), [4, 4, 4]);
    assert.deepEqual(Array.from(b.mask), [0, 0, 1]);
    assert.equal(modelRtgScale(model), 2);
  });

  it("turns a continuous Float32Array action into the plain array the env accepts", async () => {
    const cont = { kind: "dt", contextLength: 2, config: { toJSON: () => ({}) }, getAction: () => new Float32Array([0.25, -0.5]) } as unknown as PolicyModel;
    assert.deepEqual(await modelPolicy(cont).act(ctx(0)), [0.25, -0.5]);
  });

  it("rejects a model without getAction", () => {
    const bare = { kind: "bc", config: { toJSON: () => ({}) } } as unknown as PolicyModel;
    assert.throws(() => modelPolicy(bare), /the 'bc' model has no getAction\(history\) method/);
  });
});
