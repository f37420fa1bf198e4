/**
 * Parity with Gymnasium: Hopper-v5, Walker2d-v5 and HalfCheetah-v5 replay trajectories recorded from Gymnasium's
 * own envs (fixtures/record_gymnasium.py wrote fixtures/gymnasium-v5.json; its header says how and with which
 * versions). From the same initial state and actions, every observation must agree to 1e-9, every reward to 1e-9,
 * and the terminated / truncated flags exactly, step for step; Hopper and Walker2d run until they fall.
 * Short horizons on purpose: the WASM and Python MuJoCo builds drift apart chaotically over hundreds of steps.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { make, ready } from "../../../src/envs/index.js";

interface Recorded {
  initialState: number[];
  resetObservation: number[];
  actions: number[][];
  observations: number[][];
  rewards: number[];
  terminated: boolean[];
  truncated: boolean[];
  /** MuJoCo's contact count after each step, in Gymnasium. */
  contacts: number[];
}

interface Fixture {
  gymnasium: string;
  mujoco: string;
  envs: Record<string, Recorded>;
}

// The JSON stays in the source tree: from dist/test/envs/mujoco/ four levels up is the repository.
const FIXTURE = new URL("../../../../test/envs/mujoco/fixtures/gymnasium-v5.json", import.meta.url);
const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as Fixture;

const TOL = 1e-9;

function assertClose(actual: readonly number[], expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= TOL, `${what}[${i}]: ${a} vs Gymnasium ${expected[i]}`));
}

before(async () => {
  await ready();
});

describe("the Gymnasium fixture", () => {
  it("was recorded with gymnasium 1.3.0 on mujoco 3.14.0, for all three envs", () => {
    assert.equal(fixture.gymnasium, "1.3.0");
    assert.equal(fixture.mujoco, "3.14.0");
    assert.deepEqual(Object.keys(fixture.envs).sort(), ["HalfCheetah-v5", "Hopper-v5", "Walker2d-v5"]);
  });
});

// env id -> [steps Gymnasium ran, whether the last one terminated, observation width, action width]
const EXPECTED_SHAPE: Record<string, [number, boolean, number, number]> = {
  "Hopper-v5": [23, true, 11, 3],
  "Walker2d-v5": [19, true, 17, 6],
  "HalfCheetah-v5": [20, false, 17, 6],
};

for (const [id, [steps, falls, obsWidth, actWidth]] of Object.entries(EXPECTED_SHAPE)) {
  describe(`${id} replays Gymnasium's trajectory`, () => {
    const rec = fixture.envs[id]!;

    it(`ran ${steps} steps of ${actWidth} actions in Gymnasium${falls ? ", the last one terminating" : " without terminating"}, through floor contact`, () => {
      assert.equal(rec.actions.length, steps);
      assert.ok(rec.actions.every((a) => a.length === actWidth));
      assert.ok(rec.observations.every((o) => o.length === obsWidth));
      assert.deepEqual(rec.terminated, [...new Array<boolean>(steps - 1).fill(false), falls]);
      assert.ok(rec.contacts.filter((n) => n > 0).length >= 8, `the trajectory touches the floor: contacts ${rec.contacts.join(" ")}`);
    });

    it("gives Gymnasium's observation after reset to the recorded state, and keeps the state exactly", () => {
      const env = make(id);
      const r = env.reset({ seed: 0, options: { initialState: rec.initialState } });
      assertClose(r.observation, rec.resetObservation, "reset observation");
      assert.deepEqual(env.getState(), rec.initialState);
    });

    it("gives Gymnasium's observation, reward, terminated and truncated at every step", () => {
      const env = make(id);
      env.reset({ seed: 0, options: { initialState: rec.initialState } });
      rec.actions.forEach((a, t) => {
        const s = env.step(a);
        assertClose(s.observation, rec.observations[t]!, `step ${t} observation`);
        assert.ok(Math.abs(s.reward - rec.rewards[t]!) <= TOL, `step ${t} reward: ${s.reward} vs Gymnasium ${rec.rewards[t]}`);
        assert.equal(s.terminated, rec.terminated[t], `step ${t} terminated`);
        assert.equal(s.truncated, rec.truncated[t], `step ${t} truncated`);
      });
    });
  });
}
