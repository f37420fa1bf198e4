/**
 * `strl train` / `strl eval` on D4RL locomotion files and Minari MuJoCo datasets (small files of made-up numbers in
 * exactly those layouts): the env comes from the file name or Minari's env_spec, training evaluates closed-loop
 * in the v5 env, scores are labelled as D4RL's v2 references, and bad files are one-line errors.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadH5 } from "../../src/data/hdf5-h5wasm.js";
import { runCli, userErrorLine } from "./run-cli.js";

let dir = "";
before(() => (dir = mkdtempSync(join(tmpdir(), "strl-train-d4rl-"))));
after(() => rmSync(dir, { recursive: true, force: true }));

const EPISODES = 20;
const LEN = 6;

/**
 * A D4RL-layout file of 20 episodes x 6 rows (even episodes end at a terminal, odd ones at a timeout). Row i has
 * reward 1 + (i mod 7) / 7, so an episode's return is 6 + (21 - the one residue its 6 rows miss) / 7: the best,
 * missing residue 0 (episode 6, rows 36..41 = residues 1..6), is 6 + 21 / 7 = 9.
 */
async function d4rlFile(name: string, obsDim: number, actDim: number): Promise<string> {
  const h5 = await loadH5();
  const path = join(dir, name);
  const n = EPISODES * LEN;
  const f = new h5.File(path, "w");
  const end = (timeout: boolean) => Int8Array.from({ length: n }, (_, i) => (i % LEN === LEN - 1 && Math.floor(i / LEN) % 2 === (timeout ? 1 : 0) ? 1 : 0));
  f.create_dataset({ name: "observations", data: Float32Array.from({ length: n * obsDim }, (_, i) => Math.sin(i) / 10), shape: [n, obsDim], dtype: "<f4" }); // [N, obsDim]
  f.create_dataset({ name: "actions", data: Float32Array.from({ length: n * actDim }, (_, i) => Math.cos(i) / 2), shape: [n, actDim], dtype: "<f4" }); // [N, actDim]
  f.create_dataset({ name: "rewards", data: Float32Array.from({ length: n }, (_, i) => 1 + (i % 7) / 7), shape: [n], dtype: "<f4" }); // [N]
  f.create_dataset({ name: "terminals", data: end(false), shape: [n], dtype: "|b1" }); // [N]
  f.create_dataset({ name: "timeouts", data: end(true), shape: [n], dtype: "|b1" }); // [N]
  f.create_group("infos").create_dataset({ name: "action_log_probs", data: new Float32Array(n), shape: [n], dtype: "<f4" }); // [N]
  f.close();
  return path;
}

/** A Minari dataset folder (20 episodes of 5 steps, 17-wide observations) whose metadata.json names `envId`. */
async function minariFolder(name: string, envId: string): Promise<string> {
  const h5 = await loadH5();
  const data = join(dir, name, "data");
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, "metadata.json"), JSON.stringify({ dataset_id: "mujoco/halfcheetah/simple-v0", env_spec: JSON.stringify({ id: envId, max_episode_steps: 1000 }), total_episodes: EPISODES }));
  const path = join(data, "main_data.hdf5");
  const f = new h5.File(path, "w");
  for (let e = 0; e < EPISODES; e++) {
    const g = f.create_group(`episode_${e}`);
    g.create_dataset({ name: "observations", data: Float64Array.from({ length: 6 * 17 }, (_, i) => Math.sin(i + e) / 10), shape: [6, 17], dtype: "<d" }); // [len + 1, 17]
    g.create_dataset({ name: "actions", data: Float32Array.from({ length: 5 * 6 }, (_, i) => Math.cos(i + e) / 2), shape: [5, 6], dtype: "<f4" }); // [len, 6]
    g.create_dataset({ name: "rewards", data: new Float64Array(5).fill(e), shape: [5], dtype: "<d" }); // [len]
    g.create_dataset({ name: "terminations", data: new Int8Array(5), shape: [5], dtype: "|b1" }); // [len]
    g.create_dataset({ name: "truncations", data: Int8Array.from([0, 0, 0, 0, 1]), shape: [5], dtype: "|b1" }); // [len]
  }
  f.close();
  return path;
}

const TINY = ["--model", "dt", "--preset", "tiny", "--batch-size", "4", "--quiet"];

describe("strl train on a D4RL locomotion file", () => {
  it("takes Hopper-v5 from the name hopper-medium-v2.hdf5, trains and evaluates closed-loop at the data's best return", async () => {
    const data = await d4rlFile("hopper-medium-v2.hdf5", 11, 3);
    const out = join(dir, "run-hopper");
    const r = runCli(["train", "--data", data, "--out", out, "--steps", "2", "--eval-every", "2", "--eval-episodes", "1", ...TINY]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /for 2 steps on Hopper-v5\n/);
    assert.match(r.stderr, /env Hopper-v5, from the file name/);
    assert.match(r.stderr, /the closed-loop target return is the best episode return in the data, 9\n/);
    const last = JSON.parse(readFileSync(join(out, "log.jsonl"), "utf8").trim().split("\n").at(-1)!) as Record<string, number>;
    assert.equal(last.step, 2);
    // a Hopper-v5 episode lasts at least one step and earns at most ~ (1 + 10) per step: a finite, real return
    assert.ok(Number.isFinite(last["evaluation/return"]), JSON.stringify(last));

    const noExperts = { STRL_EXPERTS_DIR: mkdtempSync(join(tmpdir(), "strl-noexperts-")) };
    const ev = runCli(["eval", "--checkpoint", out, "--episodes", "1", "--target-return", "9"], undefined, noExperts);
    assert.equal(ev.status, 0, ev.stderr);
    const m = /return (-?[\d.]+) ± [\d.]+, .*D4RL-normalised (-?[\d.]+) \(D4RL's references for its v2 envs, measured here on v5 envs\); own-normalised: strl's own random\/expert references for Hopper-v5 are not measured yet\n/.exec(ev.stdout);
    assert.ok(m, ev.stdout);
    // 100 x (R + 20.272305) / (3234.3 + 20.272305), to the printed digit (R printed to 2 decimals)
    assert.ok(Math.abs(Number(m[2]) - (100 * (Number(m[1]) + 20.272305)) / 3254.572305) <= 0.051, ev.stdout);

    // with a shipped manifest (made-up references: random 0, expert 1000, 100 episodes) the own score is R / 10
    const experts = mkdtempSync(join(tmpdir(), "strl-experts-"));
    mkdirSync(join(experts, "Hopper-v5"));
    writeFileSync(join(experts, "Hopper-v5", "manifest.json"), JSON.stringify({ sampled_returns: { random: { mean: 0, std: 10, n: 100 }, expert: { mean: 1000, std: 20, n: 100 } } }));
    const own = runCli(["eval", "--checkpoint", out, "--episodes", "1", "--target-return", "9"], undefined, { STRL_EXPERTS_DIR: experts });
    const o = /return (-?[\d.]+) ± [\d.]+, .*own-normalised (-?[\d.]+) ± [\d.]+ \(s\.e\.; strl's shipped random and expert policies, 100 episodes each/.exec(own.stdout);
    assert.ok(o, own.stdout);
    assert.ok(Math.abs(Number(o[2]) - Number(o[1]) / 10) <= 0.051, own.stdout);
  });

  it("refuses, in one line naming both widths, a walker2d file with 11-wide observations", async () => {
    const data = await d4rlFile("walker2d-medium-v2.hdf5", 11, 6);
    const line = userErrorLine(runCli(["train", "--data", data, "--out", join(dir, "run-w"), ...TINY]));
    assert.equal(line, `strl train: --data ${data}: observations have 11 values per step but 'Walker2d-v5' gives 17`);
  });

  it("asks for --env when neither the file nor its name says the env, and --env then decides", async () => {
    const data = await d4rlFile("my-data.h5", 17, 6);
    const line = userErrorLine(runCli(["train", "--data", data, "--out", join(dir, "run-x"), ...TINY]));
    assert.equal(line, `strl train: --data ${data} names no environment strl knows (no env id in the file or its name); pass --env ID`);
    const r = runCli(["train", "--env", "Walker2d-v5", "--data", data, "--out", join(dir, "run-x"), "--steps", "1", ...TINY]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /on Walker2d-v5\n/);
  });

  it("refuses an unknown layout in one line", async () => {
    const h5 = await loadH5();
    const data = join(dir, "states.h5");
    const f = new h5.File(data, "w");
    f.create_dataset({ name: "states", data: new Float32Array(4), shape: [2, 2], dtype: "<f4" });
    f.close();
    const line = userErrorLine(runCli(["train", "--data", data, "--out", join(dir, "run-u"), ...TINY]));
    assert.match(line, /unknown layout: missing key 'observations' \(and no Minari 'episode_<i>' groups\); top-level keys: states$/);
  });
});

describe("strl train on a Minari MuJoCo dataset", () => {
  it("takes the env from env_spec in data/metadata.json", async () => {
    const data = await minariFolder("cheetah", "HalfCheetah-v5");
    const r = runCli(["train", "--data", data, "--out", join(dir, "run-m"), "--steps", "1", ...TINY]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /for 1 steps on HalfCheetah-v5\n/);
  });

  it("refuses a file whose env_spec names another env than --env", async () => {
    const data = await minariFolder("cheetah2", "HalfCheetah-v5");
    const line = userErrorLine(runCli(["train", "--env", "Walker2d-v5", "--data", data, "--out", join(dir, "run-m2"), ...TINY]));
    assert.equal(line, `strl train: --data ${data} was collected on 'HalfCheetah-v5', not 'Walker2d-v5'`);
  });
});
