import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { make, type Action, type Env } from "../../../src/envs/core.js";
import "../../../src/envs/control/register.js";
import {
  CONTROL_EXPERTS,
  acrobotExpert,
  cartPoleExpert,
  mountainCarContinuousExpert,
  mountainCarExpert,
  pendulumExpert,
} from "../../../src/envs/control/experts.js";
import { Rng } from "../../../src/tensor/rng.js";

interface Episode {
  ret: number;
  steps: number;
  terminated: boolean;
}

function rollout(env: Env, seed: number, policy: (state: readonly number[]) => Action): Episode {
  env.reset({ seed });
  let ret = 0;
  for (let steps = 1; ; steps++) {
    const r = env.step(policy(env.getState()));
    ret += r.reward;
    if (r.terminated || r.truncated) return { ret, steps, terminated: r.terminated };
  }
}

const SEEDS = [0, 1, 2, 3, 4];

describe("scripted experts", () => {
  it("CartPole: the state-feedback gains balance the pole for all 500 steps", () => {
    const env = make("CartPole-v1");
    for (const seed of SEEDS) {
      const e = rollout(env, seed, cartPoleExpert);
      assert.deepEqual(e, { ret: 500, steps: 500, terminated: false }, `seed ${seed}`);
    }
  });

  it("CartPole: a random policy falls long before 500 (the threshold is not trivial)", () => {
    const env = make("CartPole-v1");
    const rng = new Rng(1);
    for (const seed of SEEDS) assert.ok(rollout(env, seed, () => rng.int(2)).ret < 100, `seed ${seed}`);
  });

  it("MountainCar: energy pumping reaches the flag in 100-130 steps", () => {
    const env = make("MountainCar-v0");
    for (const seed of SEEDS) {
      const e = rollout(env, seed, mountainCarExpert);
      assert.ok(e.terminated && e.steps >= 100 && e.steps <= 130, `seed ${seed}: ${JSON.stringify(e)}`);
    }
    const rng = new Rng(2);
    for (const seed of SEEDS) assert.equal(rollout(env, seed, () => rng.int(3)).terminated, false, "random never gets there");
  });

  it("MountainCarContinuous: full-force pumping earns more than 88", () => {
    const env = make("MountainCarContinuous-v0");
    for (const seed of SEEDS) {
      const e = rollout(env, seed, mountainCarContinuousExpert);
      assert.ok(e.terminated && e.ret > 88 && e.ret < 100, `seed ${seed}: ${JSON.stringify(e)}`);
    }
  });

  it("Acrobot: energy pumping swings the tip up with a mean return better than -100", () => {
    const env = make("Acrobot-v1");
    const episodes = SEEDS.map((seed) => rollout(env, seed, acrobotExpert));
    for (const e of episodes) assert.ok(e.terminated && e.ret > -130, JSON.stringify(e));
    const mean = episodes.reduce((a, e) => a + e.ret, 0) / episodes.length;
    assert.ok(mean > -100, `mean return ${mean}`);
    const rng = new Rng(3);
    const random = SEEDS.map((seed) => rollout(env, seed, () => rng.int(3)).ret);
    assert.ok(random.reduce((a, b) => a + b, 0) / random.length < -150, `random policy mean ${random}`);
  });

  it("Pendulum: swing-up and balance average better than -200 over ten seeds", () => {
    const env = make("Pendulum-v1");
    const returns = Array.from({ length: 10 }, (_, seed) => rollout(env, seed, pendulumExpert).ret);
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    assert.ok(mean > -200, `mean return ${mean} (${returns.map((r) => r.toFixed(0)).join(", ")})`);
    const rng = new Rng(4);
    const random = Array.from({ length: 10 }, (_, seed) => rollout(env, seed, () => [rng.uniform(-2, 2)]).ret);
    assert.ok(random.reduce((a, b) => a + b, 0) / 10 < -800, "random torques score far worse");
  });

  it("Pendulum: the balance law holds the pendulum upright at zero cost", () => {
    const env = make("Pendulum-v1");
    env.reset({ options: { initialState: [0.1, 0] } });
    let last = 0;
    for (let t = 0; t < 200; t++) last = env.step(pendulumExpert(env.getState())).reward;
    assert.ok(last > -1e-6, `final step cost ${-last}`);
  });

  it("has an expert for every registered continuous-state environment", () => {
    const ids = ["CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1", "Maze2D-UMaze-v0"];
    assert.deepEqual(Object.keys(CONTROL_EXPERTS).sort(), [...ids].sort());
    const maze = make("Maze2D-UMaze-v0");
    for (const seed of SEEDS) {
      const e = rollout(maze, seed, CONTROL_EXPERTS["Maze2D-UMaze-v0"]!);
      assert.ok(e.ret > 161.86, `seed ${seed}: return ${e.ret} above D4RL's expert reference 161.86`);
    }
  });
});
