import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ready } from "../../src/tensor/index.js";
import { decisionBatch, lastAction, modelPolicy } from "../../src/eval/model-policy.js";
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
  const returnsToGo = [0.5, 0.55, 0.6, 0.65].slice(0, t + 1);
  return { observations, actions, rewards: actions.map(() => -0.1), returnsToGo, timestep: t, targetReturn: 1, env: make("Maze-21x21-v0", { maze: TINY_MAZE }), rng: new Rng(0) };
}

describe("modelPolicy", () => {
  const model = new MazeLookupModel(3, [1, 2], [2, 4]);
  const opts = { stateMean: [1, 2], stateStd: [2, 4] };

  it("left-pads the first decision and puts the placeholder as its previous action", () => {
    const b = decisionBatch(model, ctx(0), opts);
    assert.deepEqual([b.B, b.K], [1, 3]);
    assertClose(b.states, [0, 0, 0, 0, -0.5, -0.25]); // ((0 - 1) / 2, (1 - 2) / 4)
    assertClose(b.rtg, [0, 0, 0.5]);
    assert.deepEqual(Array.from(b.mask), [0, 0, 1]);
    assert.deepEqual(Array.from(b.prevActions), [4, 4, 4]);
    assert.deepEqual(Array.from(b.timesteps), [0, 0, 0]);
  });

  it("keeps the last K steps with their previous actions, rtg and timesteps", () => {
    const b = decisionBatch(model, ctx(3), opts);
    // steps 1..3: states (1,1) (2,1) (2,2)
    assertClose(b.states, [0, -0.25, 0.5, -0.25, 0.5, 0]);
    assertClose(b.rtg, [0.55, 0.6, 0.65]);
    assert.deepEqual(Array.from(b.prevActions), [1, 1, 3]);
    assert.deepEqual(Array.from(b.timesteps), [1, 2, 3]);
    assert.deepEqual(Array.from(b.mask), [1, 1, 1]);
  });

  it("acts with the arg-max of the last position and reports the real token count", async () => {
    const tokens: number[] = [];
    const p = modelPolicy(model, { ...opts, onForward: (n) => tokens.push(n) });
    assert.equal(await p.act(ctx(2)), 3); // at (2, 1) the path goes down
    assert.equal(await p.act(ctx(0)), 1);
    assert.deepEqual(tokens, [3, 1]);
  });

  it("returns the last row of a continuous prediction", () => {
    const cont = { head: { kind: "continuous", dim: 2, low: [-1, -1], high: [1, 1] }, contextLength: 2 } as unknown as PolicyModel;
    assertClose(lastAction(cont, new Float32Array([0.1, 0.2, 0.3, -0.4])) as number[], [0.3, -0.4]);
    assert.throws(() => lastAction(cont, new Float32Array(3)), /returned 3 values, expected \[1, 2, 2\]/);
  });

  it("rejects a zero state std", () => {
    assert.throws(() => modelPolicy(model, { stateMean: [0, 0], stateStd: [1, 0] }), /stateStd\[1\] must be a finite number > 0, got 0/);
  });
});
