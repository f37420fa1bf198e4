/**
 * Hopper-v5, Walker2d-v5 and HalfCheetah-v5 checked against Gymnasium v5's definitions by hand: the reward of one
 * step from the x positions before and after, reset noise ranges around MuJoCo's default pose, the healthy
 * thresholds, truncation at 1000 steps, and one-line errors for bad input.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { make, ready } from "../../../src/envs/index.js";
import { HOPPER_V5, WALKER2D_V5, LocomotionEnv } from "../../../src/envs/mujoco/index.js";

before(async () => {
  await ready();
});

/** Gymnasium v5's constants per env: seconds per env step (XML timestep x frame_skip), control cost weight,
 * healthy reward, default qpos (init_qpos), qpos/qvel sizes. */
const V5 = {
  "Hopper-v5": { dt: 0.002 * 4, ctrl: 1e-3, healthy: 1, qpos0: [0, 1.25, 0, 0, 0, 0], nv: 6 },
  "Walker2d-v5": { dt: 0.002 * 4, ctrl: 1e-3, healthy: 1, qpos0: [0, 1.25, 0, 0, 0, 0, 0, 0, 0], nv: 9 },
  "HalfCheetah-v5": { dt: 0.01 * 5, ctrl: 0.1, healthy: 0, qpos0: [0, 0, 0, 0, 0, 0, 0, 0, 0], nv: 9 },
} as const;

/** A standing pose with a small push: default qpos, x velocity 0.3. */
function standing(id: keyof typeof V5): number[] {
  const c = V5[id];
  const qvel = new Array<number>(c.nv).fill(0);
  qvel[0] = 0.3;
  return [...c.qpos0, ...qvel];
}

const oneLine = (e: unknown): boolean => e instanceof Error && !e.message.includes("\n");

describe("locomotion reward of one step, by hand", () => {
  const actions: Record<keyof typeof V5, number[]> = {
    "Hopper-v5": [0.5, -0.25, 1],
    "Walker2d-v5": [0.5, -0.25, 1, -1, 0, 0.75],
    "HalfCheetah-v5": [0.5, -0.25, 1, -1, 0, 0.75],
  };
  // sum(a^2) of the actions above: 0.25 + 0.0625 + 1 = 1.3125; and + 1 + 0 + 0.5625 = 2.875
  const sumSq = { "Hopper-v5": 1.3125, "Walker2d-v5": 2.875, "HalfCheetah-v5": 2.875 };
  for (const id of Object.keys(V5) as Array<keyof typeof V5>) {
    it(`${id}: (x after - x before) / ${V5[id].dt} + ${V5[id].healthy} healthy - ${V5[id].ctrl} * sum(a^2)`, () => {
      const env = make(id);
      const start = standing(id);
      env.reset({ options: { initialState: start } });
      const s = env.step(actions[id]);
      const xAfter = env.getState()[0]!;
      assert.ok(xAfter > 0, `the push moved the body forward (x = ${xAfter})`);
      const expected = (xAfter - start[0]!) / V5[id].dt + V5[id].healthy - V5[id].ctrl * sumSq[id];
      assert.ok(Math.abs(s.reward - expected) <= 1e-12, `${s.reward} vs ${expected}`);
      assert.equal(s.terminated, false);
      assert.ok(Math.abs((s.info.reward_ctrl as number) + V5[id].ctrl * sumSq[id]) <= 1e-15);
    });
  }

  it("Hopper-v5's observation is qpos without x then qvel clipped to +-10 (HalfCheetah's is not clipped)", () => {
    const hopper = make("Hopper-v5");
    const qvel = [25, -3, -40, 0.5, 0, 11];
    const r = hopper.reset({ options: { initialState: [7, 1.25, 0.01, 0.02, 0.03, 0.04, ...qvel] } });
    assert.deepEqual(r.observation, [1.25, 0.01, 0.02, 0.03, 0.04, 10, -3, -10, 0.5, 0, 10]);
    const cheetah = make("HalfCheetah-v5");
    const c = cheetah.reset({ options: { initialState: [7, 0, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 0, 0, 0, 0, -40] } });
    assert.deepEqual(c.observation, [0, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 0, 0, 0, 0, -40]);
  });
});

describe("locomotion reset noise", () => {
  const ranges: Record<keyof typeof V5, number> = { "Hopper-v5": 5e-3, "Walker2d-v5": 5e-3, "HalfCheetah-v5": 0.1 };
  for (const id of Object.keys(V5) as Array<keyof typeof V5>) {
    it(`${id}: seeded resets put qpos within +-${ranges[id]} of MuJoCo's default pose`, () => {
      const env = make(id);
      const q0 = V5[id].qpos0;
      let widest = 0;
      for (let seed = 0; seed < 50; seed++) {
        env.reset({ seed });
        const qpos = env.getState().slice(0, q0.length);
        qpos.forEach((q, i) => {
          const d = Math.abs(q - q0[i]!);
          assert.ok(d <= ranges[id], `seed ${seed} qpos[${i}] = ${q}, default ${q0[i]}`);
          widest = Math.max(widest, d);
        });
      }
      assert.ok(widest > 0.9 * ranges[id], `the noise spans its range (widest ${widest})`);
    });
  }

  it("Hopper-v5 and Walker2d-v5 draw qvel uniform within +-5e-3; HalfCheetah-v5 normal with std near 0.1", () => {
    for (const id of ["Hopper-v5", "Walker2d-v5"] as const) {
      const env = make(id);
      for (let seed = 0; seed < 50; seed++) {
        env.reset({ seed });
        env.getState().slice(V5[id].qpos0.length).forEach((v) => assert.ok(Math.abs(v) <= 5e-3 && v !== 0, `${id} qvel ${v}`));
      }
    }
    const env = make("HalfCheetah-v5");
    const vs: number[] = [];
    for (let seed = 0; seed < 100; seed++) {
      env.reset({ seed });
      vs.push(...env.getState().slice(9));
    }
    const std = Math.sqrt(vs.reduce((a, v) => a + v * v, 0) / vs.length); // 900 draws: 0.1 within ~5%
    assert.ok(std > 0.09 && std < 0.11, `qvel std ${std}`);
    assert.ok(vs.some((v) => Math.abs(v) > 0.2), "normal draws reach beyond two std");
  });

  it("the same seed gives the same state and a different seed a different one", () => {
    for (const id of Object.keys(V5)) {
      const a = make(id);
      const b = make(id);
      a.reset({ seed: 11 });
      b.reset({ seed: 11 });
      assert.deepEqual(a.getState(), b.getState());
      b.reset({ seed: 12 });
      assert.ok(a.getState().every((v, i) => v !== b.getState()[i]), `${id}: seeds 11 and 12 differ in every entry`);
    }
  });
});

describe("locomotion termination and truncation", () => {
  it("Hopper-v5 is healthy only for z > 0.7, |angle| < 0.2 and the rest of the state in (-100, 100)", () => {
    const h = (qpos: number[], qvel = [0, 0, 0, 0, 0, 0]): boolean => HOPPER_V5.healthy!(Float64Array.from(qpos), Float64Array.from(qvel));
    assert.equal(h([0, 1.25, 0, 0, 0, 0]), true);
    assert.equal(h([0, 0.7, 0, 0, 0, 0]), false);
    assert.equal(h([0, 0.7001, 0, 0, 0, 0]), true);
    assert.equal(h([0, 1.25, 0.2, 0, 0, 0]), false);
    assert.equal(h([0, 1.25, -0.1999, 0, 0, 0]), true);
    assert.equal(h([500, 1.25, 0, 0, 0, 99]), true, "x is not checked");
    assert.equal(h([0, 1.25, 0, 0, 0, 100]), false);
    assert.equal(h([0, 1.25, 0, 0, 0, 0], [0, 0, 0, -100, 0, 0]), false);
  });

  it("Walker2d-v5 is healthy only for z in (0.8, 2) and angle in (-1, 1)", () => {
    const h = (qpos: number[]): boolean => WALKER2D_V5.healthy!(Float64Array.from(qpos), new Float64Array(9));
    assert.equal(h([0, 1.25, 0, 0, 0, 0, 0, 0, 0]), true);
    assert.equal(h([0, 0.8, 0, 0, 0, 0, 0, 0, 0]), false);
    assert.equal(h([0, 2, 0, 0, 0, 0, 0, 0, 0]), false);
    assert.equal(h([0, 1.25, 1, 0, 0, 0, 0, 0, 0]), false);
    assert.equal(h([0, 1.25, -0.999, 0, 0, 300, 0, 0, 0]), true, "joints are not checked");
  });

  // Hips folded (thigh -1.5) lift the legs off the floor, so the body falls freely (0.3 mm in a step) and the
  // pose stays on its side of the threshold; Gymnasium 1.3.0 gives the same flags for each of these states.
  const folded = (z: number, angle: number, walker: boolean): number[] =>
    walker ? [0, z, angle, -1.5, 0, 0, -1.5, 0, 0, ...new Array<number>(9).fill(0)] : [0, z, angle, -1.5, 0, 0, 0, 0, 0, 0, 0, 0];
  const thresholdCases: Array<[string, number[], boolean]> = [
    ["Hopper-v5", folded(0.69, 0, false), true],
    ["Hopper-v5", folded(0.71, 0, false), false],
    ["Hopper-v5", folded(1.25, 0.21, false), true],
    ["Hopper-v5", folded(1.25, -0.19, false), false],
    ["Walker2d-v5", folded(0.79, 0, true), true],
    ["Walker2d-v5", folded(0.81, 0, true), false],
    ["Walker2d-v5", folded(2.05, 0, true), true],
    ["Walker2d-v5", folded(1.99, 0, true), false],
    ["Walker2d-v5", folded(1.25, -1.05, true), true],
    ["Walker2d-v5", folded(1.25, 0.95, true), false],
  ];
  for (const [id, state, ends] of thresholdCases) {
    const where = `z ${state[1]}, angle ${state[2]}`;
    it(`${id} from ${where} ${ends ? "terminates at the first step without" : "goes on with"} the healthy bonus`, () => {
      const env = make(id);
      env.reset({ options: { initialState: state } });
      const zero = new Array<number>(id === "Hopper-v5" ? 3 : 6).fill(0);
      const s = env.step(zero);
      assert.equal(s.terminated, ends);
      assert.equal(s.truncated, false);
      const forward = (env.getState()[0]! - state[0]!) / 0.008;
      const expected = forward + (ends ? 0 : 1);
      assert.ok(Math.abs(s.reward - expected) <= 1e-12, `reward ${s.reward} vs ${expected}`);
      if (ends) assert.throws(() => env.step(zero), /call reset\(\) before step\(\)/);
    });
  }

  it("HalfCheetah-v5 with zero action never terminates and is truncated at exactly step 1000", () => {
    const env = make("HalfCheetah-v5");
    env.reset({ seed: 3 });
    const zero = [0, 0, 0, 0, 0, 0];
    for (let t = 1; t < 1000; t++) {
      const s = env.step(zero);
      if (s.terminated || s.truncated) assert.fail(`ended at step ${t}`);
    }
    const last = env.step(zero);
    assert.equal(last.truncated, true);
    assert.equal(last.terminated, false);
    assert.throws(() => env.step(zero), /call reset\(\) before step\(\)/);
  });
});

describe("locomotion bad input", () => {
  it("refuses an action of the wrong width or with NaN in one line", () => {
    const env = make("Hopper-v5");
    env.reset({ seed: 0 });
    assert.throws(() => env.step([0, 0]), (e) => oneLine(e) && /Hopper-v5: action must be an array of 3 finite numbers, got \[0,0\]/.test((e as Error).message));
    assert.throws(() => env.step([0, NaN, 0]), (e) => oneLine(e) && /array of 3 finite numbers/.test((e as Error).message));
    assert.throws(() => env.step([0, 1.5, 0]), (e) => oneLine(e) && /action\[1\] = 1.5 is outside \[-1, 1\]/.test((e as Error).message));
  });

  it("refuses an initialState of the wrong length in one line naming qpos and qvel", () => {
    const env = make("Walker2d-v5");
    assert.throws(
      () => env.reset({ options: { initialState: [0, 1.25, 0] } }),
      (e) => oneLine(e) && /Walker2d-v5.reset: options.initialState must have 18 entries \(qpos \[9\] then qvel \[9\]: rootx, rootz, rooty, .*\), got 3/.test((e as Error).message),
    );
  });

  it("refuses options it does not know, and use after close", () => {
    assert.throws(() => make("HalfCheetah-v5", { size: 3 }), (e) => oneLine(e) && /size/.test((e as Error).message));
    const env = make("Hopper-v5") as LocomotionEnv;
    env.reset({ seed: 0 });
    env.close();
    env.close();
    assert.throws(() => env.reset({ seed: 0 }), (e) => oneLine(e) && /Hopper-v5: the env was closed/.test((e as Error).message));
  });
});
