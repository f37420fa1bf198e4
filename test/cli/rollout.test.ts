import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { make } from "../../src/envs/index.js";
import { MazeEnv } from "../../src/envs/grid/maze.js";
import { runCli, userErrorLine } from "./run-cli.js";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "strl-cli-rollout-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Line {
  observation: number[];
  reward: number;
  terminated: boolean;
  truncated: boolean;
}

const parse = (stdout: string): Line[] => stdout.trim().split("\n").map((l) => JSON.parse(l) as Line);

describe("strl rollout", () => {
  it("prints one line per step and stops at the episode's end, ignoring actions after it", () => {
    const env = make("Maze-v0") as MazeEnv;
    env.reset({ seed: 5 });
    const path = env.solve()!;
    const r = runCli(["rollout", "--env", "Maze-v0", "--seed", "5", "--actions", "-"], JSON.stringify([...path, 0, 0, 0]));
    assert.equal(r.status, 0, r.stderr);
    const lines = parse(r.stdout);
    assert.equal(lines.length, path.length);
    assert.deepEqual(lines.at(-1), { observation: [20, 19], reward: -0.1 + 1, terminated: true, truncated: false });
    assert.ok(lines.slice(0, -1).every((l) => l.reward === -0.1 && !l.terminated && !l.truncated));
  });

  it("starts from --initial-state (CartPole step checked by hand)", () => {
    const file = join(dir, "push.json");
    writeFileSync(file, "[1]");
    const r = runCli(["rollout", "--env", "CartPole-v1", "--initial-state", "[0, 0, 0.05, 0]", "--actions", file]);
    assert.equal(r.status, 0, r.stderr);
    const [l] = parse(r.stdout);
    // Euler step (tau 0.02) with force +10: temp = 10 / 1.1; thetaAcc = (g sin - cos temp) / (0.5 (4/3 - 0.1 cos^2 / 1.1))
    const s = Math.sin(0.05);
    const c = Math.cos(0.05);
    const temp = 10 / 1.1;
    const thetaAcc = (9.8 * s - c * temp) / (0.5 * (4 / 3 - (0.1 * c * c) / 1.1));
    const xAcc = temp - (0.05 * thetaAcc * c) / 1.1;
    const expected = [0, 0.02 * xAcc, 0.05, 0.02 * thetaAcc];
    l!.observation.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `obs[${i}] = ${v}, expected ${expected[i]}`));
    assert.equal(l!.reward, 1);
  });

  it("accepts Box actions as arrays", () => {
    const r = runCli(["rollout", "--env", "Pendulum-v1", "--seed", "7", "--actions", "-"], "[[2.0], [-2.0], [0.5]]");
    assert.equal(r.status, 0, r.stderr);
    const lines = parse(r.stdout);
    assert.equal(lines.length, 3);
    assert.ok(lines.every((l) => l.observation.length === 3 && l.reward <= 0));
  });

  it("shows help with examples", () => {
    const r = runCli(["rollout", "--help"]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Examples:\n/);
  });

  const cases: Array<[string, string[], string | undefined, RegExp]> = [
    ["an unknown env", ["--env", "Nope-v0", "--actions", "-"], "[0]", /unknown environment 'Nope-v0'/],
    ["bad JSON", ["--env", "CartPole-v1", "--actions", "-"], "[0, 1", /--actions \(stdin\) is not valid JSON/],
    ["a JSON value that is not an array", ["--env", "CartPole-v1", "--actions", "-"], '{"a": 1}', /--actions must hold a JSON array of actions, got object/],
    ["a Discrete action outside the space", ["--env", "CartPole-v1", "--actions", "-"], "[0, 1, 2]", /--actions\[2\]: CartPole-v1: action must be an integer in \[0, 1\], got 2/],
    ["a Box action outside the bounds", ["--env", "Pendulum-v1", "--actions", "-"], "[[0], [2.5]]", /--actions\[1\]: Pendulum-v1: action\[0\] = 2.5 is outside \[-2, 2\]/],
    ["a missing actions file", ["--env", "CartPole-v1", "--actions", "/no/such/actions.json"], undefined, /--actions: file '\/no\/such\/actions.json' not found/],
    ["an initial state the env refuses", ["--env", "Maze-v0", "--initial-state", "[0, 0]", "--actions", "-"], "[1]", /initialState \(x=0, y=0\) is a wall/],
    ["a missing --actions", ["--env", "CartPole-v1"], undefined, /--actions FILE\|- is required/],
  ];
  for (const [what, args, input, message] of cases) {
    it(`exits with code 2 and one line for ${what}`, () => {
      const line = userErrorLine(runCli(["rollout", ...args], input));
      assert.match(line, /^strl rollout: /);
      assert.match(line, message);
    });
  }
});
