import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ready } from "../../src/envs/index.js";
import { SquashedGaussianPolicy } from "../../src/envs/mujoco/gaussian-policy.js";
import { collectDataset } from "../../src/data/collect.js";
import { makePolicy } from "../../src/data/policies.js";
import { writeDatasetHdf5 } from "../../src/data/index.js";
import { encodeSafetensors } from "../../src/io/safetensors.js";
import { loadH5 } from "../../src/data/hdf5-h5wasm.js";
import { DenseMlp, Rng } from "../../src/tensor/index.js";

let dir = "";
const saved = process.env.STRL_EXPERTS_DIR;

/** A folder of made-up Hopper-v5 policies (random weights) and a hand-made 7-row replay buffer. */
before(async () => {
  await ready();
  dir = mkdtempSync(join(tmpdir(), "strl-experts-"));
  process.env.STRL_EXPERTS_DIR = dir;
  mkdirSync(join(dir, "Hopper-v5"));
  writeFileSync(join(dir, "README.md"), "test experts\n");
  for (const [name, seed] of [["expert", 1], ["medium", 2], ["random", 3]] as const) {
    const p = new SquashedGaussianPolicy(new DenseMlp([11, 8, 6], new Rng(seed)), { env_id: "Hopper-v5", policy: name });
    writeFileSync(join(dir, "Hopper-v5", `${name}.safetensors`), p.toSafetensors());
  }
  // 7 transitions: rows 0-2 end terminated; rows 3-4 end where row 5 starts from a reset (next_obs[4] != obs[5]);
  // rows 5-6 are the unfinished tail.
  const O = 11;
  const obs = new Float32Array(7 * O);
  const next = new Float32Array(7 * O);
  for (let i = 0; i < 7; i++) {
    obs.fill(i, i * O, (i + 1) * O);
    next.fill(i + 1, i * O, (i + 1) * O);
  }
  next.fill(99, 4 * O, 5 * O);
  const f32 = (data: Float32Array, shape: number[]) => ({ dtype: "F32" as const, shape, data });
  writeFileSync(join(dir, "Hopper-v5", "medium-replay.safetensors"), encodeSafetensors([
    ["obs", f32(obs, [7, O])], ["act", f32(new Float32Array(21).fill(0.5), [7, 3])], ["rew", f32(Float32Array.of(1, 2, 3, 4, 5, 6, 7), [7])],
    ["next_obs", f32(next, [7, O])], ["done", f32(Float32Array.of(0, 0, 1, 0, 0, 0, 0), [7])],
  ]));
});

after(() => {
  if (saved === undefined) delete process.env.STRL_EXPERTS_DIR;
  else process.env.STRL_EXPERTS_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe("collect on MuJoCo locomotion envs", () => {
  it("records qpos/qvel per step, each the state the step's observation was taken in", () => {
    const ds = collectDataset({ envId: "Hopper-v5", policy: "expert", episodes: 2, seed: 4 });
    for (const t of ds.trajectories) {
      const len = t.rewards.length;
      assert.equal(t.infos!.qpos!.length, len * 6);
      assert.equal(t.infos!.qvel!.length, len * 6);
      for (let s = 0; s < len; s++) {
        for (let i = 1; i < 6; i++) assert.equal(t.observations[s * 11 + i - 1], Math.fround(t.infos!.qpos![s * 6 + i]!));
        for (let i = 0; i < 6; i++) assert.equal(t.observations[s * 11 + 5 + i], Math.fround(Math.max(-10, Math.min(10, t.infos!.qvel![s * 6 + i]!))));
      }
      // the first state is Hopper's default pose plus reset noise of at most 5e-3
      assert.ok(Math.abs(t.infos!.qpos![1]! - 1.25) <= 5e-3);
    }
  });

  it("writes the same bytes for the same seed, with infos/qpos [N, 6]", async () => {
    const a = join(dir, "a.h5");
    const b = join(dir, "b.h5");
    await writeDatasetHdf5(a, collectDataset({ envId: "Hopper-v5", policy: "medium", episodes: 2, seed: 9 }));
    await writeDatasetHdf5(b, collectDataset({ envId: "Hopper-v5", policy: "medium", episodes: 2, seed: 9 }));
    assert.deepEqual(readFileSync(a), readFileSync(b));
    const h5 = await loadH5();
    const f = new h5.File(a, "r");
    const q = f.get("infos/qpos") as { shape: number[] };
    const rows = (f.get("rewards") as { shape: number[] }).shape[0];
    assert.deepEqual(q.shape, [rows, 6]);
    f.close();
  });

  it("medium-expert is the medium policy's episodes then as many of the expert's", () => {
    const me = collectDataset({ envId: "Hopper-v5", policy: "medium-expert", episodes: 2, seed: 5 });
    assert.equal(me.trajectories.length, 4);
    assert.equal(me.metadata.policy, "medium-expert");
    // the same seed streams as a plain medium collection: its first episodes are the medium dataset's
    const medium = collectDataset({ envId: "Hopper-v5", policy: "medium", episodes: 2, seed: 5 });
    assert.deepEqual(me.trajectories[0]!.actions, medium.trajectories[0]!.actions);
  });

  it("medium-replay splits the buffer at terminals, at resets and at its end", () => {
    const ds = collectDataset({ envId: "Hopper-v5", policy: "medium-replay", episodes: 10, seed: 0 });
    assert.deepEqual(ds.trajectories.map((t) => t.rewards.length), [3, 2, 2]);
    assert.deepEqual(ds.trajectories.map((t) => t.terminated), [true, false, false]);
    assert.deepEqual([...ds.trajectories[1]!.rewards], [4, 5]);
    assert.equal(collectDataset({ envId: "Hopper-v5", policy: "medium-replay", episodes: 1, seed: 0 }).trajectories.length, 1);
  });

  it("refuses what D4RL does not define, in one line", () => {
    assert.throws(() => makePolicy("mixed", "Hopper-v5"), /mixed' is not defined for MuJoCo envs/);
    assert.throws(() => makePolicy("medium-replay", "CartPole-v1"), /only for the MuJoCo locomotion envs/);
    assert.throws(() => collectDataset({ envId: "Walker2d-v5", policy: "medium", episodes: 1, seed: 0 }), /Walker2d-v5 has no shipped medium policy/);
  });
});
