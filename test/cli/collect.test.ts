import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readDatasetHdf5 } from "../../src/data/hdf5.js";
import { runCli, userErrorLine } from "./run-cli.js";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "strl-cli-collect-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("strl collect", () => {
  it("writes the file and prints a summary that matches the file's episodes", async () => {
    const out = join(dir, "cp.h5");
    const r = runCli(["collect", "--env", "CartPole-v1", "--policy", "random", "--episodes", "12", "--seed", "3", "--out", out, "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { episodes: number; steps: number; return: { mean: number; min: number; max: number } };
    const ds = await readDatasetHdf5(out);
    assert.equal(ds.envId, "CartPole-v1");
    assert.equal(ds.metadata.policy, "random");
    assert.equal(ds.metadata.seed, 3);
    assert.equal(s.episodes, 12);
    assert.equal(s.steps, ds.numSteps);
    // CartPole pays 1 per step: each return is the episode length
    const lengths = [...ds.lengths()];
    assert.equal(s.return.mean, lengths.reduce((a, b) => a + b, 0) / 12);
    assert.equal(s.return.min, Math.min(...lengths));
    assert.equal(s.return.max, Math.max(...lengths));
  });

  it("prints mean ± std, min, max and the step count in text mode", () => {
    const r = runCli(["collect", "--env", "Maze-v0", "--policy", "expert", "--episodes", "5", "--out", join(dir, "maze.h5")]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /episodes 5, steps \d+/);
    assert.match(r.stdout, /return -?\d+\.\d+ ± \d+\.\d+ {2}\(min -?\d+\.\d+, max -?\d+\.\d+\)/);
  });

  it("takes the older id Maze-21x21-v0 for a 21x21 maze and records the file under Maze-v0", async () => {
    const old = join(dir, "old-id.h5");
    const now = join(dir, "new-id.h5");
    assert.equal(runCli(["collect", "--env", "Maze-21x21-v0", "--policy", "expert", "--episodes", "3", "--seed", "4", "--out", old]).status, 0);
    assert.equal(runCli(["collect", "--env", "Maze-v0", "--policy", "expert", "--episodes", "3", "--seed", "4", "--out", now]).status, 0);
    assert.ok(readFileSync(old).equals(readFileSync(now)));
    assert.equal((await readDatasetHdf5(old)).envId, "Maze-v0");
  });

  it("writes the same bytes for the same seed", () => {
    const a = join(dir, "s1.h5");
    const b = join(dir, "s2.h5");
    for (const out of [a, b]) assert.equal(runCli(["collect", "--env", "MiniGrid-Empty-8x8-v0", "--policy", "mixed", "--episodes", "4", "--seed", "8", "--out", out]).status, 0);
    assert.ok(readFileSync(a).equals(readFileSync(b)));
  });

  it("MuJoCo: a policy or dataset that is not shipped, or not defined there, is one line and exit 2", () => {
    const noExperts = { STRL_EXPERTS_DIR: mkdtempSync(join(tmpdir(), "strl-noexperts-")) };
    const out = join(dir, "never.h5");
    assert.equal(
      userErrorLine(runCli(["collect", "--env", "Hopper-v5", "--policy", "medium", "--episodes", "1", "--out", out], undefined, noExperts)),
      `strl collect: Hopper-v5 has no shipped medium policy (${join(noExperts.STRL_EXPERTS_DIR, "Hopper-v5", "medium.safetensors")} is missing); make one with 'strl expert train' then 'strl expert ship'`,
    );
    assert.match(userErrorLine(runCli(["collect", "--env", "Walker2d-v5", "--policy", "mixed", "--episodes", "1", "--out", out])), /policy 'mixed' is not defined for MuJoCo envs/);
    assert.match(userErrorLine(runCli(["collect", "--env", "CartPole-v1", "--policy", "medium-expert", "--episodes", "1", "--out", out])), /only for the MuJoCo locomotion envs/);
    assert.throws(() => readFileSync(out));
  });

  it("shows help with examples", () => {
    const r = runCli(["collect", "--help"]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Examples:\n {2}strl collect --env Maze-v0/);
  });

  const cases: Array<[string, string[], RegExp]> = [
    ["an unknown env", ["--env", "Nope-v0", "--policy", "random", "--episodes", "1", "--out", "x.h5"], /unknown environment 'Nope-v0'; known: /],
    ["an unknown policy", ["--env", "CartPole-v1", "--policy", "great", "--episodes", "1", "--out", "x.h5"], /--policy must be one of random, medium, expert, mixed, medium-replay, medium-expert, got 'great'/],
    ["zero episodes", ["--env", "CartPole-v1", "--policy", "random", "--episodes", "0", "--out", "x.h5"], /--episodes must be >= 1, got 0/],
    ["a missing --out", ["--env", "CartPole-v1", "--policy", "random", "--episodes", "1"], /--out FILE is required/],
    ["an output folder that does not exist", ["--env", "CartPole-v1", "--policy", "random", "--episodes", "1", "--out", "/no/such/folder/x.h5"], /--out: folder '\/no\/such\/folder' does not exist/],
    ["bad --env-options JSON", ["--env", "CartPole-v1", "--policy", "random", "--episodes", "1", "--out", "x.h5", "--env-options", "{max"], /--env-options is not valid JSON/],
    ["an unknown env option", ["--env", "Maze-v0", "--policy", "random", "--episodes", "1", "--out", "x.h5", "--env-options", '{"mazeseed": 1}'], /unknown option 'mazeseed'/],
    ["an unknown flag", ["--env", "CartPole-v1", "--colour", "red"], /colour/],
    [
      "an id naming 21x21 with another size",
      ["--env", "MazeLocal-21x21-v0", "--policy", "expert", "--episodes", "1", "--out", "x.h5", "--env-options", '{"size": 15}'],
      /^strl collect: MazeLocal-21x21-v0 names a 21x21 grid, but option 'size' asks for 15x15; use MazeLocal-v0 with the option size: 15$/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`exits with code 2 and one line for ${what}`, () => {
      const line = userErrorLine(runCli(["collect", ...args]));
      assert.match(line, /^strl collect: /);
      assert.match(line, message);
    });
  }
});
