import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { make } from "../../../src/envs/core.js";
import "../../../src/envs/control/register.js";
import { CartPoleEnv } from "../../../src/envs/control/cartpole.js";

function assertClose(actual: readonly number[], expected: readonly number[], tol: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tol, `entry ${i}: ${a} vs ${expected[i]} (tol ${tol})`));
}

/**
 * The cart-pole's accelerations from the 2x2 linear system of its equations of motion (Florian 2007, no friction),
 *   (M + m) xAcc + m l cos(theta) thetaAcc = F + m l thetaDot^2 sin(theta)
 *   cos(theta) xAcc + (4/3) l thetaAcc     = g sin(theta)
 * solved by Cramer's rule: a different arrangement from the env's closed form.
 */
function cartPoleAccelerations(theta: number, thetaDot: number, force: number): [number, number] {
  const M = 1.0;
  const m = 0.1;
  const l = 0.5;
  const g = 9.8;
  const a11 = M + m;
  const a12 = m * l * Math.cos(theta);
  const a21 = Math.cos(theta);
  const a22 = (4 / 3) * l;
  const b1 = force + m * l * thetaDot * thetaDot * Math.sin(theta);
  const b2 = g * Math.sin(theta);
  const det = a11 * a22 - a12 * a21;
  return [(b1 * a22 - a12 * b2) / det, (a11 * b2 - a21 * b1) / det];
}

describe("CartPole-v1", () => {
  it("pushes a cart at rest to the exact fractions 88/451 and -12/41", () => {
    // From rest: temp = 100/11, thetaAcc = -(100/11) / (0.5 (4/3 - 1/11)) = -600/41, xAcc = 4400/451; times tau 0.02.
    const env = make("CartPole-v1");
    const r = env.reset({ options: { initialState: [0, 0, 0, 0] } });
    assert.deepEqual(r.observation, [0, 0, 0, 0]);
    const s = env.step(1);
    assertClose(s.observation, [0, 88 / 451, 0, -12 / 41], 1e-12);
    assert.equal(s.reward, 1);
    assert.equal(s.terminated, false);
    assert.equal(s.truncated, false);
  });

  it("follows the equations of motion with explicit Euler from a tilted, moving state", () => {
    const start = [0.1, -0.2, 0.05, 0.3];
    const env = make("CartPole-v1");
    env.reset({ options: { initialState: start } });
    env.step(0);
    const [xAcc, thetaAcc] = cartPoleAccelerations(0.05, 0.3, -10);
    const tau = 0.02;
    assertClose(env.getState(), [0.1 + tau * -0.2, -0.2 + tau * xAcc, 0.05 + tau * 0.3, 0.3 + tau * thetaAcc], 1e-12);
  });

  it("terminates past 12 degrees with reward 1 on that step, and refuses further steps", () => {
    const env = make("CartPole-v1");
    env.reset({ options: { initialState: [0, 0, 0.2, 1.0] } }); // theta' = 0.22 > 0.2094
    const s = env.step(1);
    assert.equal(s.terminated, true);
    assert.equal(s.reward, 1);
    assert.throws(() => env.step(1), /call reset\(\)/);
  });

  it("does not terminate just inside the angle and position thresholds", () => {
    const env = make("CartPole-v1");
    env.reset({ options: { initialState: [2.39, 0, 0.2, 0] } }); // x' = 2.39, theta' = 0.2 < 0.2094
    assert.equal(env.step(1).terminated, false);
  });

  it("terminates when the cart leaves x = 2.4", () => {
    const env = make("CartPole-v1");
    env.reset({ options: { initialState: [2.39, 1, 0, 0] } }); // x' = 2.41
    assert.equal(env.step(1).terminated, true);
  });

  it("truncates at step 500 while the pole is kept up", () => {
    const env = make("CartPole-v1");
    env.reset({ seed: 0 });
    let total = 0;
    for (let t = 1; t <= 500; t++) {
      const s = env.getState();
      const r = env.step(s[0]! + 1.5 * s[1]! + 18 * s[2]! + 3 * s[3]! > 0 ? 1 : 0);
      total += r.reward;
      assert.equal(r.terminated, false, `terminated at step ${t}`);
      assert.equal(r.truncated, t === 500, `truncated flag at step ${t}`);
    }
    assert.equal(total, 500);
  });

  it("returns the same start state for the same seed and a different one for another seed", () => {
    const a = new CartPoleEnv();
    const b = new CartPoleEnv();
    assert.deepEqual(a.reset({ seed: 7 }).observation, b.reset({ seed: 7 }).observation);
    assert.notDeepEqual(a.reset({ seed: 7 }).observation, a.reset({ seed: 8 }).observation);
    const first = a.reset({ seed: 7 }).observation;
    assert.notDeepEqual(a.reset().observation, first, "reset() without a seed continues the stream");
  });

  it("draws start states uniformly from [-0.05, 0.05)^4", () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 123 });
    const n = 400;
    const sum = [0, 0, 0, 0];
    const sumSq = [0, 0, 0, 0];
    for (let k = 0; k < n; k++) {
      const s = env.reset().observation;
      s.forEach((v, i) => {
        assert.ok(v >= -0.05 && v < 0.05, `component ${i} = ${v}`);
        sum[i]! += v;
        sumSq[i]! += v * v;
      });
    }
    for (let i = 0; i < 4; i++) {
      const mean = sum[i]! / n;
      const std = Math.sqrt(sumSq[i]! / n - mean * mean);
      assert.ok(Math.abs(mean) < 0.006, `mean ${mean}`); // 4 standard errors of 0.0289 / sqrt(400)
      assert.ok(std > 0.025 && std < 0.033, `std ${std} vs 0.1 / sqrt(12) = 0.0289`);
    }
  });

  it("rejects actions outside {0, 1} with a clear error", () => {
    const env = make("CartPole-v1");
    env.reset({ seed: 1 });
    assert.throws(() => env.step(2), /CartPole-v1: action must be an integer in \[0, 1\], got 2/);
    assert.throws(() => env.step(0.5), /integer in \[0, 1\]/);
  });

  it("rejects a wrong-length initial state and unknown options, naming them", () => {
    const env = make("CartPole-v1");
    assert.throws(() => env.reset({ options: { initialState: [0, 0, 0] } }), /4 entries \[x, xDot, theta, thetaDot\]/);
    assert.throws(() => make("CartPole-v1", { gravity: 3 }), /unknown option 'gravity'/);
  });

  it("exposes a copy of its state and renders the cart on the track", () => {
    const env = make("CartPole-v1");
    env.reset({ options: { initialState: [0, 0, 0, 0] } });
    env.getState()[0] = 99;
    assert.deepEqual(env.getState(), [0, 0, 0, 0]);
    const lines = env.render().split("\n");
    assert.equal(lines[1]!.indexOf("#"), 24, "cart at the centre column of a 49-column track");
    assert.equal(lines[0]!.indexOf("|"), 24, "upright pole above the cart");
    assert.match(lines[3]!, /x=\+0\.000/);
  });
});
