/**
 * The page's side view of a locomotion env (src/envs/mujoco/side-view.ts) on a real Hopper-v5, against the
 * positions worked out by hand from the MJCF (hopper.xml: torso at z 1.25 with half-length 0.2; thigh 0.225 below
 * it; leg 0.25; foot capsule at (0.065, 0.1) turned -90 degrees about y, half-length 0.195).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { make, ready } from "../../../src/envs/index.js";
import type { LocomotionEnv } from "../../../src/envs/mujoco/index.js";
import { sideView, type SideShape } from "../../../src/envs/mujoco/side-view.js";

let env: LocomotionEnv;
before(async () => {
  await ready();
  env = make("Hopper-v5") as LocomotionEnv;
});
after(() => env.close());

type Capsule = Extract<SideShape, { kind: "capsule" }>;

/** The capsules' end points, each segment's points sorted by (x, z) so the test does not depend on the axis sign. */
function segments(shapes: SideShape[]): Array<{ ends: number[][]; radius: number }> {
  return shapes
    .filter((s): s is Capsule => s.kind === "capsule")
    .map((s) => ({ ends: [s.a, s.b].sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]!), radius: s.radius }));
}

function near(actual: number[][], expected: number[][], what: string): void {
  for (let i = 0; i < expected.length; i++) {
    for (let j = 0; j < 2; j++) assert.ok(Math.abs(actual[i]![j]! - expected[i]![j]!) < 1e-9, `${what}: point ${i} is (${actual[i]}), expected (${expected[i]})`);
  }
}

describe("the side view of a locomotion env", () => {
  it("draws the standing Hopper's floor and four capsules where the MJCF puts them", () => {
    env.reset({ options: { initialState: [0, 1.25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] } });
    const v = sideView(env.geoms());
    assert.equal(v.skipped, 0);
    assert.deepEqual(v.shapes[0], { kind: "floor", z: 0, rgba: [0.800000011920929, 0.8999999761581421, 0.800000011920929, 1] });
    assert.equal(v.focusX, 0);
    const s = segments(v.shapes);
    assert.deepEqual(s.map((c) => Math.fround(c.radius)), [0.05, 0.05, 0.04, 0.06].map(Math.fround));
    near(s[0]!.ends, [[0, 1.05], [0, 1.45]], "torso");
    near(s[1]!.ends, [[0, 0.6], [0, 1.05]], "thigh");
    near(s[2]!.ends, [[0, 0.1], [0, 0.6]], "leg");
    near(s[3]!.ends, [[-0.13, 0.1], [0.26, 0.1]], "foot (horizontal)");
  });

  it("turns the bodies with the torso's hinge and follows the torso's x", () => {
    // rootx 2, rooty +90 degrees: the body's z axis points along +x, so the leg lies along -x from the torso
    env.reset({ options: { initialState: [2, 1.25, Math.PI / 2, 0, 0, 0, 0, 0, 0, 0, 0, 0] } });
    const v = sideView(env.geoms());
    assert.ok(Math.abs(v.focusX - 2) < 1e-12, `focusX ${v.focusX}`);
    const s = segments(v.shapes);
    near(s[0]!.ends, [[1.8, 1.25], [2.2, 1.25]], "torso");
    near(s[1]!.ends, [[1.35, 1.25], [1.8, 1.25]], "thigh");
    near(s[2]!.ends, [[0.85, 1.25], [1.35, 1.25]], "leg");
  });

  it("refuses geoms with no body in one line", () => {
    assert.throws(() => sideView([env.geoms()[0]!]), /^RangeError: sideView: the geoms hold no body \(only planes\)$/);
  });
});
