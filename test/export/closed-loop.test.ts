/**
 * Exported policies in closed-loop episodes: on CartPole-v1 (discrete) and Pendulum-v1 (continuous), every model
 * kind decides each step twice, through strl and through ONNX Runtime, on the same episode (strl's actions are
 * played): the actions must be equal (continuous: to 1e-5), a discrete action may differ only in a decision where
 * strl had a membrane within 1e-5 of threshold (counted). Then the ONNX policy plays its own episodes and takes
 * exactly strl's actions.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ready } from "../../src/tensor/index.js";
import { evaluateClosedLoop, type Policy } from "../../src/eval/index.js";
import { OnnxPolicyRunner, onnxPolicy } from "../../src/export/index.js";
import type { History } from "../../src/models/policy.js";
import { exportModel, makeModel, strlDecision } from "./fixtures.js";

const ENVS = {
  "CartPole-v1": { obsDim: 4, head: { kind: "discrete", n: 2 }, target: 200, stateMean: [0, 0, 0, 0], stateStd: [1, 1.5, 0.2, 1.5], rtgScale: 100 },
  "Pendulum-v1": { obsDim: 3, head: { kind: "continuous", dim: 1, low: [-2], high: [2] }, target: -200, stateMean: [0, 0, 0], stateStd: [1, 1, 3], rtgScale: 500 },
} as const;

function config(kind: string, env: keyof typeof ENVS): Record<string, unknown> {
  const e = ENVS[env];
  const base = { obsDim: e.obsDim, head: e.head, contextLength: 6, stateMean: e.stateMean, stateStd: e.stateStd, rtgScale: e.rtgScale, seed: 5 };
  const shape = { ...base, maxTimestep: 300, dModel: 16, nBlocks: 2, nHeads: 2 };
  if (kind === "bc") return { kind, ...base, hidden: [16], pastStates: 1 };
  if (kind === "dt") return { kind, ...shape };
  if (kind === "ann-strl") return { kind, ...shape };
  return { kind, ...shape, T: 4, neuron: { tau: 2, vThreshold: 0.3 } };
}

before(async () => {
  await ready();
});

describe("ONNX export in closed-loop episodes", () => {
  for (const env of Object.keys(ENVS) as Array<keyof typeof ENVS>) {
    for (const kind of ["strl", "ann-strl", "dt", "bc"]) {
      it(`${kind} on ${env}: ONNX Runtime takes strl's action at every step`, async (t) => {
        const model = makeModel(config(kind, env));
        const runner = await OnnxPolicyRunner.open(exportModel(model, env));
        let decisions = 0;
        let flips = 0;
        const shadow: Policy = {
          name: "shadow",
          async act(ctx) {
            const h: History = {
              observations: ctx.observations,
              actions: ctx.actions as History["actions"],
              returnsToGo: ctx.returnsToGoUnscaled,
              timesteps: Array.from({ length: ctx.timestep + 1 }, (_, i) => i),
            };
            const want = strlDecision(model, h);
            const got = await runner.decide(h);
            decisions++;
            if (typeof got.action === "number") {
              let best = 0;
              for (let i = 1; i < want.preds.length; i++) if (want.preds[i]! > want.preds[best]!) best = i;
              if (got.action !== best) {
                const near = Object.values(want.near).reduce((a, b) => a + b, 0);
                assert.ok(near > 0, `step ${ctx.timestep}: action ${got.action} in ONNX Runtime, ${best} in strl, no membrane near threshold`);
                flips++;
              }
              return best;
            }
            for (let i = 0; i < want.preds.length; i++) {
              assert.ok(Math.abs(got.action[i]! - want.preds[i]!) <= 1e-5, `step ${ctx.timestep}: action ${got.action[i]} vs strl ${want.preds[i]}`);
            }
            return Array.from(want.preds);
          },
        };
        const opts = { envId: env, targetReturns: [ENVS[env].target], episodes: ENVS[env].head.kind === "discrete" ? 5 : 2, seeds: [3], rtgScale: ENVS[env].rtgScale, maxSteps: 40 };
        try {
          await evaluateClosedLoop({ ...opts, policyFactory: () => shadow });
          assert.ok(decisions >= 2 * 8, `only ${decisions} decisions`);
          t.diagnostic(`${decisions} decisions, ${flips} discrete flips near threshold`);
          if (ENVS[env].head.kind === "discrete") {
            const mine = await evaluateClosedLoop({ ...opts, model, recordActions: true });
            const theirs = await evaluateClosedLoop({ ...opts, policyFactory: () => onnxPolicy(runner), recordActions: true });
            const acts = (r: typeof mine) => r.targets[0]!.episodes.map((e) => e.actions);
            if (flips === 0) assert.deepEqual(acts(theirs), acts(mine), "the ONNX policy's own episodes");
          }
        } finally {
          await runner.release();
          model.dispose();
        }
      });
    }
  }
});
