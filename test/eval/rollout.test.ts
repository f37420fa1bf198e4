import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ready } from "../../src/tensor/index.js";
import { evaluateClosedLoop } from "../../src/eval/rollout.js";
import { expertPolicy, scriptedPolicy, type Policy } from "../../src/eval/policy.js";
import { measureReferenceReturns } from "../../src/eval/reference.js";
import { MazeLookupModel, TINY_MAZE } from "./fixtures.js";
import { assertClose } from "../helpers.js";

before(async () => {
  await ready();
});

const tiny = { envId: "Maze-v0", envOptions: { maze: TINY_MAZE, maxSteps: 10 } };
const alwaysRight: Policy = scriptedPolicy("right", () => 1);
const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

describe("evaluateClosedLoop with scripted policies", () => {
  it("gives the expert return 0.4 and the always-right return -1.0 on the 5x5 maze, with mean ± std by hand", async () => {
    const r = await evaluateClosedLoop({
      ...tiny,
      policyFactory: (seed) => (seed === 1 ? expertPolicy() : alwaysRight),
      targetReturns: [0.4],
      episodes: 2,
      seeds: [1, 2],
      rtgScale: 1,
    });
    const t = r.targets[0]!;
    assertClose(t.episodes.map((e) => e.return), [0.4, 0.4, -1, -1], 1e-9);
    assert.deepEqual(t.episodes.map((e) => [e.seed, e.episode, e.length, e.success, e.terminated, e.truncated]), [
      [1, 0, 6, true, true, false],
      [1, 1, 6, true, true, false],
      [2, 0, 10, false, false, true],
      [2, 1, 10, false, false, true],
    ]);
    close(t.returnMean, -0.3); // (0.4 + 0.4 - 1 - 1) / 4
    close(t.returnStd, 0.7); // every deviation is 0.7
    close(t.returnStdErr, Math.sqrt((4 * 0.49) / 3) / 2);
    assertClose(t.returnMeanPerSeed, [0.4, -1], 1e-9);
    assert.equal(t.successRate, 0.5);
    assert.equal(t.lengthMean, 8);
    assert.equal(t.normalizedMean, undefined);
    assert.equal(r.successRule, "info.isSuccess (goal reached)");
  });

  it("feeds the return-to-go reduced by each reward: target 1, scale 2 -> 0.5, 0.55, ..., 0.75", async () => {
    const seen: number[][] = [];
    const expert = expertPolicy();
    const recorder: Policy = {
      name: "recorder",
      act: (ctx) => {
        seen.push([...ctx.returnsToGo]);
        assert.equal(ctx.observations.length, ctx.timestep + 1);
        assert.equal(ctx.actions.length, ctx.timestep);
        return expert.act(ctx);
      },
    };
    await evaluateClosedLoop({ ...tiny, policyFactory: () => recorder, targetReturns: [1], episodes: 1, seeds: [0], rtgScale: 2 });
    assert.equal(seen.length, 6);
    // each step's reward is -0.1, so the scaled rtg grows by 0.1 / 2
    assertClose(seen[5]!, [0.5, 0.55, 0.6, 0.65, 0.7, 0.75], 1e-12);
  });

  it("caps episodes at maxSteps and counts them as truncated", async () => {
    const r = await evaluateClosedLoop({ ...tiny, policyFactory: () => alwaysRight, targetReturns: [0, 5], episodes: 1, seeds: [3], rtgScale: 1, maxSteps: 3 });
    assert.equal(r.targets.length, 2);
    for (const t of r.targets) {
      assert.equal(t.episodes[0]!.length, 3);
      assert.equal(t.episodes[0]!.truncated, true);
      close(t.returnMean, -0.3);
    }
  });

  it("runs a model through its getAction with the training rtg scale and restores its training flag", async () => {
    const model = new MazeLookupModel(3, [2, 2], [1, 1], undefined, 4);
    model.train(true);
    const progress: number[] = [];
    const r = await evaluateClosedLoop({ ...tiny, model, targetReturns: [2], episodes: 1, seeds: [0], rtgScale: 4, onProgress: (p) => progress.push(p.done) });
    close(r.targets[0]!.returnMean, 0.4);
    assert.equal(r.policy, "strl");
    assert.equal(model.training, true);
    assert.deepEqual(progress, [1]);
    // the history at the last decision (t = 5): unscaled returns-to-go 2 + 0.1 t, timesteps 0..5
    const h = model.histories[5]!;
    assertClose(h.returnsToGo as number[], [2, 2.1, 2.2, 2.3, 2.4, 2.5], 1e-12);
    assert.deepEqual(Array.from(h.timesteps), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(h.actions, [1, 1, 3, 3, 1]);
    // the model saw steps 3..5 with rtg / 4, timesteps clipped to its table of 5 entries
    const last = model.batches[5]!;
    assertClose(last.rtg, [2.3 / 4, 2.4 / 4, 2.5 / 4], 1e-6);
    assert.deepEqual(Array.from(last.timesteps), [3, 4, 4]);
    assert.deepEqual(Array.from(last.prevActions), [3, 3, 1]);
  });

  it("refuses an rtg scale that differs from training, and bad options with their names", async () => {
    const model = new MazeLookupModel(3, [2, 2], [1, 1], undefined, 4);
    const base = { ...tiny, targetReturns: [1], episodes: 1, seeds: [0], rtgScale: 2 };
    await assert.rejects(evaluateClosedLoop({ ...base, model }), /rtgScale 2 differs from the model's training rtgScale 4/);
    await assert.rejects(evaluateClosedLoop({ ...base, policyFactory: () => alwaysRight, episodes: 0 }), /episodes must be an integer >= 1, got 0/);
    await assert.rejects(evaluateClosedLoop({ ...base, policyFactory: () => alwaysRight, targetReturns: [NaN] }), /targetReturns\[0\] must be a finite number/);
    await assert.rejects(evaluateClosedLoop({ ...base, policyFactory: () => alwaysRight, seeds: [1, 1] }), /seeds must be distinct/);
    await assert.rejects(evaluateClosedLoop({ ...base, policyFactory: () => alwaysRight, model }), /exactly one of 'policyFactory' and 'model'/);
  });

  it("measures reference returns: the expert's is 0.4 and the random policy's is lower", async () => {
    const refs = await measureReferenceReturns(tiny.envId, { envOptions: tiny.envOptions, episodes: 5, seeds: [0] });
    close(refs.expert, 0.4);
    assert.ok(refs.random < refs.expert && refs.random >= -1, `random ${refs.random}`);
    assert.match(refs.source, /^measured: random and expert policies, 5 episodes/);
    // every expert episode returns 0.4, so its standard error is exactly 0
    assert.deepEqual([refs.expertStdErr, refs.episodes], [0, 5]);
  });

  it("measures references on 100 episodes by default (20 on each of 5 seeds), each with its standard error", async () => {
    const refs = await measureReferenceReturns("CartPole-v1");
    assert.equal(refs.source, "measured: random and expert policies, 20 episodes x seeds [0, 1, 2, 3, 4]");
    assert.equal(refs.episodes, 100);
    // CartPole's expert balances the pole for the whole 500 steps in every episode: 500 ± 0
    assert.deepEqual([refs.expert, refs.expertStdErr], [500, 0]);
    // the random policy falls after a varying number of steps: a positive error, far below its mean
    assert.ok(refs.randomStdErr! > 0 && refs.randomStdErr! < refs.random / 5, `random ${refs.random} ± ${refs.randomStdErr}`);
  });
});

describe("evaluateClosedLoop: bounded and stoppable", () => {
  it("refuses more than 1,000,000 episodes in all (targets x seeds x episodes) before playing one, with the memory they would take", async () => {
    let acted = 0;
    const counting: Policy = { name: "counting", act: () => (acted++, 1) };
    await assert.rejects(
      evaluateClosedLoop({ ...tiny, policyFactory: () => counting, targetReturns: [1, 2], episodes: 250_001, seeds: [0, 1], rtgScale: 1 }),
      { name: "RangeError", message: "evaluateClosedLoop: 1000004 episodes in all (targets x seeds x episodes) are above the limit of 1000000; their records alone would keep about 200.0 MB in memory" },
    );
    assert.equal(acted, 0);
  });

  it("an aborted signal stops it before the next step, with the signal's reason", async () => {
    const ac = new AbortController();
    let acted = 0;
    const stopsAtThree: Policy = { name: "stops", act: () => ((++acted === 3 && ac.abort(new Error("stop now"))), 1) };
    await assert.rejects(
      evaluateClosedLoop({ ...tiny, policyFactory: () => stopsAtThree, targetReturns: [0], episodes: 5, seeds: [0], rtgScale: 1, signal: ac.signal }),
      { message: "stop now" },
    );
    assert.equal(acted, 3, "no step after the abort (an episode here is 10 steps)");
  });

  it("yields to the event loop while it runs, so a timer (a signal handler) can stop a policy that never awaits", async () => {
    const ac = new AbortController();
    let acted = 0;
    const busy: Policy = {
      name: "busy",
      act: () => {
        const until = performance.now() + 20;
        while (performance.now() < until); // 20 ms of synchronous work per decision, as a model forward pass
        acted++;
        return 1;
      },
    };
    setTimeout(() => ac.abort(), 50);
    // 5 episodes x 10 steps x 20 ms = 1 s if nothing yields (the timer would then fire only after the evaluation)
    await assert.rejects(evaluateClosedLoop({ ...tiny, policyFactory: () => busy, targetReturns: [0], episodes: 5, seeds: [0], rtgScale: 1, signal: ac.signal }), { name: "AbortError" });
    assert.ok(acted < 20, `stopped after ${acted} of 50 decisions`);
  });
});
