/** `strl rollout` on the MuJoCo envs: it loads the simulator itself, replays Gymnasium's recorded Hopper-v5
 * trajectory (test/envs/mujoco/fixtures), and refuses a bad action in one line with exit code 2. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { runCli, userErrorLine } from "./run-cli.js";

interface Recorded {
  initialState: number[];
  actions: number[][];
  observations: number[][];
  rewards: number[];
  terminated: boolean[];
}

// From dist/test/cli/ three levels up is the repository.
const FIXTURE = new URL("../../../test/envs/mujoco/fixtures/gymnasium-v5.json", import.meta.url);
const hopper = (JSON.parse(readFileSync(FIXTURE, "utf8")) as { envs: Record<string, Recorded> }).envs["Hopper-v5"]!;

describe("strl rollout --env Hopper-v5", () => {
  it("replays Gymnasium's trajectory from --initial-state and stops where it terminated", () => {
    const extra = [[0, 0, 0], [0, 0, 0]]; // after the fall: never stepped
    const r = runCli(["rollout", "--env", "Hopper-v5", "--seed", "0", "--initial-state", JSON.stringify(hopper.initialState), "--actions", "-"], JSON.stringify([...hopper.actions, ...extra]));
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { observation: number[]; reward: number; terminated: boolean; truncated: boolean });
    assert.equal(lines.length, hopper.actions.length);
    lines.forEach((l, t) => {
      l.observation.forEach((v, i) => assert.ok(Math.abs(v - hopper.observations[t]![i]!) <= 1e-9, `step ${t} observation[${i}]`));
      assert.ok(Math.abs(l.reward - hopper.rewards[t]!) <= 1e-9, `step ${t} reward`);
      assert.equal(l.terminated, hopper.terminated[t]);
      assert.equal(l.truncated, false);
    });
  });

  it("exits with code 2 and one line for an action of the wrong width", () => {
    const line = userErrorLine(runCli(["rollout", "--env", "Hopper-v5", "--seed", "0", "--actions", "-"], "[[0.1, 0.2, 0.3], [0.5, 0.5]]"));
    assert.equal(line, "strl rollout: --actions[1]: Hopper-v5: action must be an array of 3 finite numbers, got [0.5,0.5]");
  });

  it("exits with code 2 and one line for an initial state of the wrong length", () => {
    const line = userErrorLine(runCli(["rollout", "--env", "Hopper-v5", "--initial-state", "[0, 1.25, 0]", "--actions", "-"], "[[0, 0, 0]]"));
    assert.match(line, /^strl rollout: Hopper-v5.reset: options.initialState must have 12 entries \(qpos \[6\] then qvel \[6\]: rootx, rootz, rooty, thigh, leg, foot, rootx_vel, .*\), got 3$/);
  });
});
