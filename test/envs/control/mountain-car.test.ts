import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { make } from "../../../src/envs/core.js";
import "../../../src/envs/control/register.js";

function assertClose(actual: readonly number[], expected: readonly number[], tol: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tol, `entry ${i}: ${a} vs ${expected[i]} (tol ${tol})`));
}

const COS_1_5 = 0.0707372016677029; // cos(1.5) = cos(3 * -0.5)

describe("MountainCar-v0", () => {
  it("accelerates right from the start by 0.001 - 0.0025 cos(-1.5)", () => {
    const env = make("MountainCar-v0");
    env.reset({ options: { initialState: [-0.5, 0] } });
    const r = env.step(2);
    const v = 0.001 - 0.0025 * COS_1_5; // 0.000823156995830743
    assertClose(r.observation, [-0.5 + v, v], 1e-12);
    assert.equal(r.reward, -1);
    assert.equal(r.terminated, false);
  });

  it("clips the speed to 0.07", () => {
    const env = make("MountainCar-v0");
    env.reset({ options: { initialState: [-0.5, 0.07] } });
    const r = env.step(2); // 0.07 + 0.000823 would exceed the limit
    assertClose(r.observation, [-0.43, 0.07], 1e-12);
  });

  it("stops the car at the left wall", () => {
    const env = make("MountainCar-v0");
    env.reset({ options: { initialState: [-1.19, -0.05] } });
    const r = env.step(0);
    assert.deepEqual(r.observation, [-1.2, 0]);
  });

  it("terminates at position >= 0.5 with non-negative velocity only", () => {
    const env = make("MountainCar-v0");
    env.reset({ options: { initialState: [0.49, 0.02] } });
    const r = env.step(2);
    assert.ok(r.observation[0]! >= 0.5);
    assert.equal(r.terminated, true);
    assert.equal(r.reward, -1);
    env.reset({ options: { initialState: [0.52, -0.001] } });
    const back = env.step(1);
    assert.ok(back.observation[0]! >= 0.5 && back.observation[1]! < 0);
    assert.equal(back.terminated, false);
  });

  it("truncates after 200 steps when the car is left alone in the valley", () => {
    const env = make("MountainCar-v0");
    env.reset({ options: { initialState: [-Math.PI / 6, 0] } });
    let total = 0;
    for (let t = 1; t <= 200; t++) {
      const r = env.step(1);
      total += r.reward;
      assert.equal(r.terminated, false);
      assert.equal(r.truncated, t === 200);
    }
    assert.equal(total, -200);
  });

  it("starts at position U(-0.6, -0.4) with zero velocity, reproducibly per seed", () => {
    const env = make("MountainCar-v0");
    const first = env.reset({ seed: 5 }).observation;
    assert.deepEqual(make("MountainCar-v0").reset({ seed: 5 }).observation, first);
    let lo = 0;
    let hi = -1;
    for (let k = 0; k < 300; k++) {
      const [p, v] = env.reset().observation as [number, number];
      assert.ok(p >= -0.6 && p < -0.4, `position ${p}`);
      assert.equal(v, 0);
      lo = Math.min(lo, p);
      hi = Math.max(hi, p);
    }
    assert.ok(lo < -0.59 && hi > -0.41, `range [${lo}, ${hi}] covers the interval`);
  });

  it("rejects action 3 and an initial state off the track", () => {
    const env = make("MountainCar-v0");
    env.reset({ seed: 0 });
    assert.throws(() => env.step(3), /MountainCar-v0: action must be an integer in \[0, 2\], got 3/);
    assert.throws(() => env.reset({ options: { initialState: [0.7, 0] } }), /position must lie in \[-1\.2, 0\.6\], got 0\.7/);
  });

  it("draws the car on the hill", () => {
    const env = make("MountainCar-v0");
    env.reset({ options: { initialState: [-0.5, 0] } });
    const text = env.render();
    assert.ok(text.includes("C") && text.includes("F"));
    assert.match(text, /position=-0\.5000 velocity=\+0\.00000/);
  });
});

describe("MountainCarContinuous-v0", () => {
  it("moves by force * 0.0015 - 0.0025 cos(3p) and charges 0.1 a^2", () => {
    const env = make("MountainCarContinuous-v0");
    env.reset({ options: { initialState: [-0.5, 0] } });
    const r = env.step([0.5]);
    const v = 0.5 * 0.0015 - 0.0025 * COS_1_5;
    assertClose(r.observation, [-0.5 + v, v], 1e-12);
    assert.ok(Math.abs(r.reward - -0.025) < 1e-15, `reward ${r.reward}`);
  });

  it("pays 100 minus the action cost on reaching 0.45", () => {
    const env = make("MountainCarContinuous-v0");
    env.reset({ options: { initialState: [0.44, 0.02] } });
    const r = env.step([1]);
    assert.ok(r.observation[0]! >= 0.45);
    assert.equal(r.terminated, true);
    assert.ok(Math.abs(r.reward - 99.9) < 1e-12, `reward ${r.reward}`);
  });

  it("truncates after 999 steps at zero cost when no force is applied", () => {
    const env = make("MountainCarContinuous-v0");
    env.reset({ options: { initialState: [-Math.PI / 6, 0] } });
    let total = 0;
    let last = env.step([0]);
    total += last.reward;
    for (let t = 2; t <= 999; t++) {
      assert.equal(last.truncated, false);
      last = env.step([0]);
      total += last.reward;
    }
    assert.equal(last.truncated, true);
    assert.equal(last.terminated, false);
    assert.equal(total, 0);
  });

  it("rejects forces outside [-1, 1] and wrongly shaped actions", () => {
    const env = make("MountainCarContinuous-v0");
    env.reset({ seed: 0 });
    assert.throws(() => env.step([1.5]), /action\[0\] = 1\.5 is outside \[-1, 1\]/);
    assert.throws(() => env.step([0, 0]), /array of 1 finite numbers/);
  });
});
