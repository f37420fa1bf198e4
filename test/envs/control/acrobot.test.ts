import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { make } from "../../../src/envs/core.js";
import "../../../src/envs/control/register.js";

function assertClose(actual: readonly number[], expected: readonly number[], tol: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tol, `entry ${i}: ${a} vs ${expected[i]} (tol ${tol})`));
}

/**
 * The acrobot's equations of motion as a mass-matrix system (unit masses and lengths, centres of mass at 0.5,
 * moments of inertia 1, g = 9.8), solved by Cramer's rule:
 *   [d1 d2; d2 d3] [a1; a2] = [-phi1; tau - phi2 - l1 lc2 w1^2 sin(t2)],  d3 = lc2^2 + I2
 * with phi1, phi2 the book's gravity/Coriolis terms. Returns the derivative of [t1, t2, w1, w2].
 */
function derivative(s: readonly number[], tau: number): number[] {
  const [t1, t2, w1, w2] = s as [number, number, number, number];
  const d1 = 0.25 + (1 + 0.25 + Math.cos(t2)) + 2; // m1 lc1^2 + m2 (l1^2 + lc2^2 + 2 l1 lc2 cos t2) + I1 + I2
  const d2 = 0.25 + 0.5 * Math.cos(t2) + 1; // m2 (lc2^2 + l1 lc2 cos t2) + I2
  const d3 = 0.25 + 1; // m2 lc2^2 + I2
  const phi2 = 0.5 * 9.8 * Math.sin(t1 + t2); // m2 lc2 g cos(t1 + t2 - pi/2)
  const phi1 = -0.5 * w2 * w2 * Math.sin(t2) - w2 * w1 * Math.sin(t2) + 1.5 * 9.8 * Math.sin(t1) + phi2;
  const b1 = -phi1;
  const b2 = tau - phi2 - 0.5 * w1 * w1 * Math.sin(t2);
  const det = d1 * d3 - d2 * d2;
  return [w1, w2, (b1 * d3 - d2 * b2) / det, (d1 * b2 - d2 * b1) / det];
}

/** One RK4 step of 0.2 s, written out. */
function rk4(s: readonly number[], tau: number): number[] {
  const h = 0.2;
  const add = (a: readonly number[], b: readonly number[], k: number): number[] => a.map((v, i) => v + k * b[i]!);
  const k1 = derivative(s, tau);
  const k2 = derivative(add(s, k1, h / 2), tau);
  const k3 = derivative(add(s, k2, h / 2), tau);
  const k4 = derivative(add(s, k3, h), tau);
  return s.map((v, i) => v + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
}

describe("Acrobot-v1", () => {
  it("advances one RK4 step of the book dynamics with torque +1", () => {
    const start = [0.3, -0.2, 0.5, -1.0];
    const env = make("Acrobot-v1");
    env.reset({ options: { initialState: start } });
    const r = env.step(2);
    const expected = rk4(start, 1);
    assertClose(env.getState(), expected, 1e-9);
    const [t1, t2, w1, w2] = expected as [number, number, number, number];
    assertClose(r.observation, [Math.cos(t1), Math.sin(t1), Math.cos(t2), Math.sin(t2), w1, w2], 1e-9);
    assert.equal(r.reward, -1);
    assert.equal(r.terminated, false);
  });

  it("applies torque -1 for action 0", () => {
    const start = [-0.1, 0.4, 0.2, 0.3];
    const env = make("Acrobot-v1");
    env.reset({ options: { initialState: start } });
    env.step(0);
    assertClose(env.getState(), rk4(start, -1), 1e-9);
  });

  it("wraps theta2 into [-pi, pi] and clips thetaDot2 to 9 pi", () => {
    const start = [0, 0, 0, 28];
    const raw = rk4(start, 0);
    assert.ok(raw[1]! > Math.PI && raw[3]! > 9 * Math.PI, `precondition: raw step ${raw}`);
    const env = make("Acrobot-v1");
    env.reset({ options: { initialState: start } });
    env.step(1);
    assertClose(env.getState(), [raw[0]!, raw[1]! - 2 * Math.PI, raw[2]!, 9 * Math.PI], 1e-9);
  });

  it("wraps theta1 and clips thetaDot1 to 4 pi", () => {
    const start = [0, 0, 12.4, 10];
    const raw = rk4(start, 0);
    assert.ok(raw[0]! > Math.PI && raw[2]! > 4 * Math.PI, `precondition: raw step ${raw}`);
    const env = make("Acrobot-v1");
    env.reset({ options: { initialState: start } });
    env.step(1);
    assertClose(env.getState(), [raw[0]! - 2 * Math.PI, raw[1]!, 4 * Math.PI, raw[3]!], 1e-9);
  });

  it("terminates with reward 0 once the free end is above one link length", () => {
    const env = make("Acrobot-v1");
    env.reset({ options: { initialState: [Math.PI, 0, 0, 0] } }); // balanced straight up: height 2
    const r = env.step(1);
    assert.equal(r.terminated, true);
    assert.equal(r.reward, 0);
    assert.throws(() => env.step(1), /call reset\(\)/);
  });

  it("gives -1 and does not terminate while the tip is below the line", () => {
    // Link 1 horizontal, link 2 nearly in line with it: the tip is near the pivot's height, well under 1.
    const env = make("Acrobot-v1");
    env.reset({ options: { initialState: [Math.PI / 2, 0.1, 0, 0] } });
    const r = env.step(1);
    const [t1, t2] = env.getState() as [number, number];
    assert.ok(-Math.cos(t1) - Math.cos(t1 + t2) <= 1);
    assert.equal(r.terminated, false);
    assert.equal(r.reward, -1);
  });

  it("truncates after 500 steps hanging still, returning -500", () => {
    const env = make("Acrobot-v1");
    env.reset({ options: { initialState: [0, 0, 0, 0] } });
    let total = 0;
    for (let t = 1; t <= 500; t++) {
      const r = env.step(1);
      total += r.reward;
      assert.equal(r.terminated, false);
      assert.equal(r.truncated, t === 500);
    }
    assert.equal(total, -500);
  });

  it("starts in U(-0.1, 0.1)^4, the same for the same seed", () => {
    const a = make("Acrobot-v1");
    const b = make("Acrobot-v1");
    a.reset({ seed: 11 });
    b.reset({ seed: 11 });
    assert.deepEqual(a.getState(), b.getState());
    for (let k = 0; k < 200; k++) {
      a.reset();
      for (const v of a.getState()) assert.ok(v >= -0.1 && v < 0.1, `start component ${v}`);
    }
    const c = make("Acrobot-v1");
    c.reset({ seed: 12 });
    b.reset({ seed: 11 });
    assert.notDeepEqual(c.getState(), b.getState());
  });

  it("rejects actions outside {0, 1, 2}", () => {
    const env = make("Acrobot-v1");
    env.reset({ seed: 0 });
    assert.throws(() => env.step(3), /Acrobot-v1: action must be an integer in \[0, 2\], got 3/);
    assert.throws(() => env.step(-1), /got -1/);
  });

  it("renders the pivot, the elbow and the free end", () => {
    const env = make("Acrobot-v1");
    env.reset({ options: { initialState: [0, 0, 0, 0] } });
    const lines = env.render().split("\n");
    assert.equal(lines[5]!.indexOf("O"), 11, "pivot at the centre");
    assert.equal(lines[10]!.indexOf("@"), 11, "free end straight below, two links down");
    assert.equal(lines[3]!.trim(), "-".repeat(23), "target line one link above the pivot");
  });
});
