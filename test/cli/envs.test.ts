/** `strl envs`: every registered env with its spaces, expert, options and success definition. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registeredIds } from "../../src/envs/index.js";
import { runCli } from "./run-cli.js";

describe("strl envs", () => {
  const noExperts = { STRL_EXPERTS_DIR: mkdtempSync(join(tmpdir(), "strl-noexperts-")) };
  it("--json lists every registered env with its spaces, limit, expert, options and success", () => {
    const r = runCli(["envs", "--json"], undefined, noExperts);
    assert.equal(r.status, 0, r.stderr);
    const infos = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(infos.map((e) => e.id), registeredIds());
    const byId = Object.fromEntries(infos.map((e) => [e.id as string, e]));
    assert.deepEqual(byId["CartPole-v1"], {
      id: "CartPole-v1",
      observation: "Box(4, [-inf, inf])",
      action: "Discrete(2)",
      maxEpisodeSteps: 500,
      expert: "scripted controller",
      options: [],
      success: "survived to the time limit (not terminated)",
    });
    assert.equal(byId["Pendulum-v1"]!.action, "Box(1, [-2, 2])");
    assert.match(byId["Pendulum-v1"]!.success as string, /^n\/a/);
    assert.equal(byId["Maze-v0"]!.observation, "Box(2, [0, 20])");
    assert.match((byId["MazeLocal-v0"]!.options as string[])[0]!, /^view: "walls"/);
  });

  it("lists Hopper-v5, Walker2d-v5 and HalfCheetah-v5 with Gymnasium v5's spaces, judged by return only", () => {
    const r = runCli(["envs", "--json"], undefined, noExperts);
    assert.equal(r.status, 0, r.stderr);
    const byId = Object.fromEntries((JSON.parse(r.stdout) as Array<Record<string, unknown>>).map((e) => [e.id as string, e]));
    const mujoco = (obs: number, act: number): Record<string, unknown> => ({
      observation: `Box(${obs}, [-inf, inf])`,
      action: `Box(${act}, [-1, 1])`,
      maxEpisodeSteps: 1000,
      expert: "not shipped yet",
      options: [],
      success: "no success flag: return only",
    });
    assert.deepEqual(byId["Hopper-v5"], { id: "Hopper-v5", ...mujoco(11, 3) });
    assert.deepEqual(byId["Walker2d-v5"], { id: "Walker2d-v5", ...mujoco(17, 6) });
    assert.deepEqual(byId["HalfCheetah-v5"], { id: "HalfCheetah-v5", ...mujoco(17, 6) });
    assert.match(runCli(["envs"], undefined, noExperts).stdout, /^Hopper-v5\n {2}observation Box\(11, \[-inf, inf\]\), action Box\(3, \[-1, 1\]\), at most 1000 steps\n {2}expert: not shipped yet\n {2}success: no success flag: return only\n/m);
  });

  it("prints a readable block per env, and collect --help points to it", () => {
    const r = runCli(["envs"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^CartPole-v1\n {2}observation Box\(4, \[-inf, inf\]\), action Discrete\(2\), at most 500 steps\n {2}expert: scripted controller\n {2}success: survived to the time limit/m);
    assert.match(runCli(["collect", "--help"]).stdout, /`strl envs` lists the environment ids/);
  });

  it("names the shipped SAC policies' sampled returns from experts/<env>/manifest.json", () => {
    const dir = mkdtempSync(join(tmpdir(), "strl-experts-"));
    mkdirSync(join(dir, "Hopper-v5"));
    writeFileSync(join(dir, "Hopper-v5", "manifest.json"), JSON.stringify({ expert_step: 300000, medium_step: 60000, sampled_returns: { expert: { mean: 3012.4, std: 45.2, n: 100 }, medium: { mean: 1020.6, std: 300.1, n: 100 }, random: { mean: 18.2, std: 3.4, n: 100 } } }));
    const r = runCli(["envs", "--json"], undefined, { STRL_EXPERTS_DIR: dir });
    const hopper = (JSON.parse(r.stdout) as Array<{ id: string; expert: string }>).find((e) => e.id === "Hopper-v5")!;
    assert.equal(hopper.expert, "SAC policies (strl expert ship): expert 3012 ± 45 (step 300000), medium 1021 ± 300 (step 60000), random 18 ± 3; sampled returns, mean ± std over 100 episodes");
  });
});
