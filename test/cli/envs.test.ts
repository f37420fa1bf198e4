/** `strl envs`: every registered env with its spaces, expert, options and success definition. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { registeredIds } from "../../src/envs/index.js";
import { runCli } from "./run-cli.js";

describe("strl envs", () => {
  it("--json lists every registered env with its spaces, limit, expert, options and success", () => {
    const r = runCli(["envs", "--json"]);
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

  it("prints a readable block per env, and collect --help points to it", () => {
    const r = runCli(["envs"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^CartPole-v1\n {2}observation Box\(4, \[-inf, inf\]\), action Discrete\(2\), at most 500 steps\n {2}expert: scripted controller\n {2}success: survived to the time limit/m);
    assert.match(runCli(["collect", "--help"]).stdout, /`strl envs` lists the environment ids/);
  });
});
