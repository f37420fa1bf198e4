/**
 * Golden rollouts: the MiniGrid envs' outputs (observations in all three modes, rewards, end flags, info, text and
 * RGB renders, the expert's plan length) for fixed seeds, digested with SHA-256. The expected digests were computed
 * on main at 9c06a00, before `minigrid-core.ts` was split into world / observation / render / planner files
 * (issue 14), so any change to what the envs produce fails here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { make } from "../../../src/envs/index.js";
import { MiniGridDoorKeyEnv, type MiniGridEnvBase, MiniGridEmptyEnv } from "../../../src/envs/grid/index.js";
import { Rng } from "../../../src/tensor/rng.js";

/** The registered ids name their 8x8 size, so another `size` is built through the env's class. */
function build(id: string, options: Record<string, unknown>): MiniGridEnvBase {
  if (options.size === undefined) return make(id, options) as MiniGridEnvBase;
  return id.startsWith("MiniGrid-Empty-") ? new MiniGridEmptyEnv(options) : new MiniGridDoorKeyEnv(options);
}

/** Env id + options -> SHA-256 of 6 seeded episodes (25% random actions, else the expert's; a 60-step limit unless
 * `options.maxSteps` sets another). */
function rolloutDigest(id: string, options: Record<string, unknown>): string {
  const env = build(id, { maxSteps: 60, ...options });
  const hash = createHash("sha256");
  const put = (v: unknown): void => void hash.update(JSON.stringify(v) + "\n");
  const rng = new Rng(17);
  for (let seed = 0; seed < 6; seed++) {
    put(env.reset({ seed }).observation);
    put(env.render());
    put(env.solve()?.length ?? -1);
    for (;;) {
      const action = rng.float() < 0.25 ? rng.int(7) : env.expertAction();
      const s = env.step(action);
      put([action, s.observation, s.reward, s.terminated, s.truncated, s.info, env.carrying(), env.render()]);
      if (s.terminated || s.truncated) break;
    }
    hash.update(env.renderRgb!(5).data);
  }
  return hash.digest("hex");
}

const GOLDEN: [string, Record<string, unknown>, string][] = [
  ["MiniGrid-Empty-8x8-v0", { observation: "xyd" }, "8a9abfaac1ab089f92c17bb0763fb86aa6b785b57995cae59d8466f6a590a5ed"],
  ["MiniGrid-Empty-8x8-v0", { observation: "xy", size: 6 }, "0a80eef5ed5cb1171e387df79b83ee15d6d488ac8562f7cc3abca141e352b687"],
  ["MiniGrid-Empty-8x8-v0", { observation: "image" }, "e3b343f42b3d545d803196b27a7fb1f5c9b7b6baed652fc6d5d412aee3a0be08"],
  ["MiniGrid-FourRooms-v0", { observation: "xyd" }, "0032fe52b8e2601def6231f3dccf70e999fc16100a608283d175bb09db261ac2"],
  ["MiniGrid-FourRooms-v0", { observation: "image" }, "2dd2a0133832d73f1936f1c3ded77893b4c12129ed4b21462abdf5a6cbb2c36d"],
  ["MiniGrid-FourRooms-v0", { observation: "xy", maxSteps: 12 }, "82fda2498fa2511d9af51f80bd48f85b0db6469c801ec8a77df96d332f83671e"],
  ["MiniGrid-DoorKey-8x8-v0", { observation: "xyd" }, "2b9e6c3ddfe038fd4b1c129d2a07ef8256b701ece22ce80e0884f21b86e2d14b"],
  ["MiniGrid-DoorKey-8x8-v0", { observation: "image" }, "fadff824e60d70f94015da809a313318ad68a3e5d9ae5b791ba946ad496a8326"],
  ["MiniGrid-DoorKey-8x8-v0", { observation: "xyd", maxSteps: 20 }, "40a75576d4bb91ca9f6f2ee7a8bbaf8d2f0decc3bcd39d682010db380b1c438c"],
  ["MiniGrid-DoorKey-8x8-v0", { observation: "image", size: 6 }, "059c8cba57c51f8b4b49bf091672761c1b93147d82d3401e1bf26062e2c39c36"],
];

for (const [id, options, digest] of GOLDEN) {
  test(`${id} ${JSON.stringify(options)}: a seeded rollout gives the recorded observations, rewards and renders`, () => {
    assert.equal(rolloutDigest(id, options), digest);
  });
}
