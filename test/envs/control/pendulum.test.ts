import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { make } from "../../../src/envs/core.js";
import "../../../src/envs/control/register.js";

function assertClose(actual: readonly number[], expected: readonly number[], tol: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tol, `entry ${i}: ${a} vs ${expected[i]} (tol ${tol})`));
}

const SIN_1 = 0.8414709848078965;

describe("Pendulum-v1", () => {
  it("takes a semi-implicit step and charges the cost of the state before it", () => {
    const env = make("Pendulum-v1");
    env.reset({ options: { initialState: [1, 0.5] } });
    const r = env.step([1]);
    // thetaDot' = 0.5 + (15 sin 1 + 3 * 1) * 0.05; theta' = 1 + thetaDot' * 0.05.
    const thetaDot = 0.5 + (15 * SIN_1 + 3) * 0.05; // 1.2811032386059224
    const theta = 1 + thetaDot * 0.05;
    assertClose(env.getState(), [theta, thetaDot], 1e-12);
    assertClose(r.observation, [Math.cos(theta), Math.sin(theta), thetaDot], 1e-12);
    assert.ok(Math.abs(r.reward - -(1 + 0.1 * 0.25 + 0.001)) < 1e-12, `reward ${r.reward}`);
    assert.equal(r.terminated, false);
  });

  it("measures the angle cost on theta normalised into [-pi, pi)", () => {
    const env = make("Pendulum-v1");
    env.reset({ options: { initialState: [4, 0] } });
    const r = env.step([0]);
    assert.ok(Math.abs(r.reward - -((4 - 2 * Math.PI) ** 2)) < 1e-12, `reward ${r.reward}`);
  });

  it("clips the angular speed to 8 and leaves theta unwrapped", () => {
    const env = make("Pendulum-v1");
    env.reset({ options: { initialState: [3.1, 7.9] } });
    env.step([2]); // 7.9 + (15 sin 3.1 + 6) 0.05 > 8
    assertClose(env.getState(), [3.1 + 8 * 0.05, 8], 1e-12);
    assert.ok(env.getState()[0]! > Math.PI);
  });

  it("never terminates and truncates after 200 steps", () => {
    const env = make("Pendulum-v1");
    env.reset({ seed: 3 });
    for (let t = 1; t <= 200; t++) {
      const r = env.step([0]);
      assert.equal(r.terminated, false);
      assert.equal(r.truncated, t === 200);
    }
  });

  it("starts with theta in [-pi, pi) and thetaDot in [-1, 1), reproducibly per seed", () => {
    const env = make("Pendulum-v1");
    const a = env.reset({ seed: 21 }).observation;
    assert.deepEqual(make("Pendulum-v1").reset({ seed: 21 }).observation, a);
    let maxTheta = 0;
    for (let k = 0; k < 300; k++) {
      env.reset();
      const [theta, thetaDot] = env.getState() as [number, number];
      assert.ok(theta >= -Math.PI && theta < Math.PI && thetaDot >= -1 && thetaDot < 1, `start ${theta}, ${thetaDot}`);
      maxTheta = Math.max(maxTheta, Math.abs(theta));
    }
    assert.ok(maxTheta > 3, "start angles reach the bottom (|theta| near pi)");
  });

  it("rejects torque 3 and malformed actions with clear errors", () => {
    const env = make("Pendulum-v1");
    env.reset({ seed: 0 });
    assert.throws(() => env.step([3]), /Pendulum-v1: action\[0\] = 3 is outside \[-2, 2\]/);
    assert.throws(() => env.step([Number.NaN]), /finite numbers/);
    assert.throws(() => env.step([1, 1]), /array of 1 finite numbers/);
  });

  it("draws the bob above the pivot when upright", () => {
    const env = make("Pendulum-v1");
    env.reset({ options: { initialState: [0, 0] } });
    const lines = env.render().split("\n");
    assert.equal(lines[0]!.indexOf("@"), 8);
    assert.equal(lines[4]!.indexOf("O"), 8);
  });
});
