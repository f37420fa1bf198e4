import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { angleNormalize, rk4Step, wrap } from "../../../src/envs/control/numerics.js";
import { checkOptionKeys } from "../../../src/envs/control/option-checks.js";
import { make, registeredIds } from "../../../src/envs/core.js";
import "../../../src/envs/control/register.js";

describe("control env helpers", () => {
  it("wraps like Gymnasium: whole periods, both interval ends kept", () => {
    assert.equal(wrap(4, -Math.PI, Math.PI), 4 - 2 * Math.PI);
    assert.equal(wrap(-7, -Math.PI, Math.PI), -7 + 2 * Math.PI);
    assert.ok(Math.abs(wrap(-10, -Math.PI, Math.PI) - (-10 + 4 * Math.PI)) < 1e-14, "two periods");
    assert.equal(wrap(Math.PI, -Math.PI, Math.PI), Math.PI);
    assert.equal(wrap(-Math.PI, -Math.PI, Math.PI), -Math.PI);
  });

  it("normalises angles into [-pi, pi) with a non-negative modulo", () => {
    assert.equal(angleNormalize(Math.PI), -Math.PI);
    assert.ok(Math.abs(angleNormalize((3 * Math.PI) / 2) - -Math.PI / 2) < 1e-15);
    assert.ok(Math.abs(angleNormalize(-4) - (2 * Math.PI - 4)) < 1e-15);
    assert.equal(angleNormalize(0.5), 0.5);
  });

  it("takes an RK4 step equal to the 4th-order Taylor polynomial for dy/dt = y", () => {
    const h = 0.1;
    const [y] = rk4Step((s) => [s[0]!], [1], h) as [number];
    assert.ok(Math.abs(y - (1 + h + h ** 2 / 2 + h ** 3 / 6 + h ** 4 / 24)) < 1e-15, `${y}`);
  });

  it("names unknown constructor options", () => {
    assert.throws(() => checkOptionKeys("X-v0", { a: 1 }, []), /X-v0: unknown option 'a' \(it accepts none\)/);
    assert.throws(() => checkOptionKeys("X-v0", { a: 1 }, ["b"]), /accepted: b/);
    checkOptionKeys("X-v0", undefined, []);
  });
});

describe("control env registry", () => {
  const ids = ["CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1", "Maze2D-UMaze-v0"];

  it("registers every continuous-state environment under its Gymnasium-style id", () => {
    for (const id of ids) {
      assert.ok(registeredIds().includes(id), id);
      const env = make(id);
      assert.equal(env.id, id);
      const obs = env.reset({ seed: 0 }).observation;
      assert.equal(obs.length, env.observationSpace.shape[0], `${id} observation size`);
    }
  });

  it("replays the same trajectory for the same seed and actions", () => {
    for (const id of ids) {
      const run = (): number[][] => {
        const env = make(id);
        env.reset({ seed: 42 });
        const out: number[][] = [];
        for (let t = 0; t < 20; t++) {
          const space = env.actionSpace;
          const a = space.kind === "discrete" ? t % space.n : t % 2 ? [...space.low] : [...space.high];
          out.push(env.step(a).observation);
        }
        return out;
      };
      assert.deepEqual(run(), run(), id);
    }
  });
});
