/**
 * The MuJoCo envs' simulator memory: every env holds one MjData (MuJoCo's 13.6 MB default arena) in a WASM heap
 * capped at 2 GiB, which the garbage collector cannot see, so it is counted and freed by `close()`; code that builds
 * an env for a while (closed-loop evaluation) closes it. bench/mujoco-rss.ts checks RSS over a million steps.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { make, ready } from "../../../src/envs/index.js";
import { liveEnvCount } from "../../../src/envs/mujoco/index.js";
import { evaluateClosedLoop } from "../../../src/eval/rollout.js";

before(async () => {
  await ready();
});

describe("MuJoCo env memory", () => {
  it("counts one live MjData per open env; close() frees it once, however often it is called", () => {
    const base = liveEnvCount();
    const a = make("Hopper-v5");
    const b = make("HalfCheetah-v5");
    assert.equal(liveEnvCount(), base + 2);
    a.close!();
    a.close!();
    assert.equal(liveEnvCount(), base + 1);
    b.close!();
    assert.equal(liveEnvCount(), base);
  });

  it("a closed-loop evaluation on Walker2d-v5 closes the env it made", async () => {
    const base = liveEnvCount();
    const zero = { name: "zero", act: () => [0, 0, 0, 0, 0, 0] };
    const r = await evaluateClosedLoop({ envId: "Walker2d-v5", policyFactory: () => zero, targetReturns: [100], episodes: 1, seeds: [0], rtgScale: 1, maxSteps: 5 });
    assert.equal(r.targets[0]!.lengthMean, 5);
    assert.equal(liveEnvCount(), base);
  });

  it("refuses the env past the heap's capacity (155 Hoppers here) with a one-line error, and builds again after close", () => {
    const kept = [];
    let error: Error | undefined;
    try {
      for (let i = 0; i < 400; i++) kept.push(make("Hopper-v5"));
    } catch (e) {
      error = e as Error;
    }
    assert.ok(kept.length >= 140 && kept.length <= 160, `${kept.length} envs fit in 2 GiB at 13.6 MB each`);
    assert.equal(error?.message, `Hopper-v5: MuJoCo's 2 GiB memory is full (${kept.length} locomotion envs alive, about 14 MB each): close() the envs you no longer use`);
    for (const env of kept) env.close!();
    assert.equal(liveEnvCount(), 0);
    assert.equal(make("Walker2d-v5").observationSpace.shape[0], 17);
  });
});
