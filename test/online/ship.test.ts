import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ready } from "../../src/envs/index.js";
import { SquashedGaussianPolicy } from "../../src/envs/mujoco/gaussian-policy.js";
import { decodeSafetensors, encodeSafetensors } from "../../src/io/safetensors.js";
import { shipExpertRun } from "../../src/online/ship.js";
import { DenseMlp, Rng } from "../../src/tensor/index.js";

let dir = "";
const actor = (seed: number, step: number): Uint8Array =>
  new SquashedGaussianPolicy(new DenseMlp([11, 4, 6], new Rng(seed)), { env_id: "Hopper-v5", seed: "7", step: String(step), command: "strl expert train --env Hopper-v5" }).toSafetensors();

/** A run folder as `strl expert train` leaves it: evaluations 30 / 120 / 300 at steps 1000 / 2000 / 3000. */
before(async () => {
  await ready();
  dir = mkdtempSync(join(tmpdir(), "strl-ship-"));
  const run = join(dir, "run");
  mkdirSync(join(run, "snapshots"), { recursive: true });
  mkdirSync(join(run, "state"));
  writeFileSync(join(run, "random.safetensors"), actor(1, 0));
  const evals = [[1000, 30], [2000, 120], [3000, 300]];
  writeFileSync(join(run, "log.jsonl"), evals.map(([step, mean]) => JSON.stringify({ step, eval_mean: mean, eval_std: 1, seconds: step / 10 })).join("\n") + "\n");
  for (const [step] of evals) writeFileSync(join(run, "snapshots", `step-${step}.safetensors`), actor(step!, step!));
  const n = 3000;
  const rew = Float32Array.from({ length: n }, (_, i) => i);
  const f32 = (data: Float32Array, shape: number[]) => ({ dtype: "F32" as const, shape, data });
  writeFileSync(join(run, "state", "replay.safetensors"), encodeSafetensors([
    ["obs", f32(new Float32Array(n * 11), [n, 11])], ["act", f32(new Float32Array(n * 3), [n, 3])], ["rew", f32(rew, [n])],
    ["next_obs", f32(new Float32Array(n * 11), [n, 11])], ["done", f32(new Float32Array(n), [n])],
  ]));
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe("strl expert ship", () => {
  it("ships the last evaluation as expert, the first to reach a third of it as medium, and the buffer until medium", () => {
    const out = join(dir, "experts", "Hopper-v5");
    const m = shipExpertRun({ run: join(dir, "run"), out, episodes: 2, command: "strl expert ship --run run" });
    assert.equal(m.expert_step, 3000);
    assert.equal(m.medium_step, 2000); // the first evaluation >= 300 / 3
    assert.equal(m.seed, 7);
    assert.equal(m.train_command, "strl expert train --env Hopper-v5");
    assert.equal(m.training_minutes, 5); // 300 s
    const weights = (file: string): number[] => [...(decodeSafetensors(readFileSync(file)).tensors.get("actor.0.weight")!.data as Float32Array)];
    assert.deepEqual(weights(join(out, "medium.safetensors")), weights(join(dir, "run", "snapshots", "step-2000.safetensors")));
    assert.deepEqual(weights(join(out, "expert.safetensors")), weights(join(dir, "run", "snapshots", "step-3000.safetensors")));
    assert.equal(SquashedGaussianPolicy.fromSafetensors(readFileSync(join(out, "random.safetensors")), "r").metadata.policy, "random");
    const replay = decodeSafetensors(readFileSync(join(out, "medium-replay.safetensors"))).tensors.get("rew")!;
    assert.deepEqual(replay.shape, [2000]);
    assert.equal(replay.data[1999], 1999);
    const replayInfo = m.medium_replay as { regenerate: string; exact: boolean };
    assert.equal(replayInfo.regenerate, "strl expert train --env Hopper-v5 && strl expert ship --run runs/Hopper-v5-until-medium --out experts/Hopper-v5 --medium-replay-only");
    assert.equal(replayInfo.exact, true);
    const sampled = m.sampled_returns as Record<string, { n: number; mean: number }>;
    assert.equal(sampled.expert!.n, 2);
    assert.ok(Number.isFinite(sampled.random!.mean));
  });

  it("--expert-step best ships the highest evaluation and says so; medium is a third of that one", () => {
    const run = join(dir, "run-best");
    cpSync(join(dir, "run"), run, { recursive: true });
    writeFileSync(join(run, "log.jsonl"), [[1000, 30], [2000, 450], [3000, 300]].map(([step, mean]) => JSON.stringify({ step, eval_mean: mean, eval_std: 1, seconds: 1 })).join("\n") + "\n");
    const m = shipExpertRun({ run, out: join(dir, "experts-best", "Hopper-v5"), expertStep: "best", episodes: 1, command: "" });
    assert.equal(m.expert_step, 2000);
    assert.equal(m.medium_step, 1000); // none reaches 450 / 3: the closest
    assert.match(String(m.medium_choice), /the closest/);
    assert.match(String(m.expert_choice), /highest deterministic evaluation/);
  });

  it("refuses a folder that is not an expert run, and a medium step without an evaluation", () => {
    assert.throws(() => shipExpertRun({ run: dir, out: join(dir, "x"), episodes: 1, command: "" }), /is not an expert run \(no log\.jsonl\)/);
    assert.throws(() => shipExpertRun({ run: join(dir, "run"), out: join(dir, "x"), mediumStep: 1500, episodes: 1, command: "" }), /no evaluation before the expert step to serve as medium at step 1500/);
    assert.equal(existsSync(join(dir, "x")), false, "a refused run leaves no output folder");
  });
});
