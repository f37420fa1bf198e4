/**
 * Steps per second of each continuous-state environment under uniformly random actions (drawn from a seeded
 * Rng before timing), resetting whenever an episode ends. The reset cost is included, as in data collection.
 */
import type { Bench, BenchResult } from "./types.js";
import { median } from "./types.js";
import { make, type Action, type Space } from "../src/envs/core.js";
import "../src/envs/control/register.js";
import { Rng } from "../src/tensor/rng.js";

const IDS = ["CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1", "Maze2D-UMaze-v0"];

function randomActions(space: Space, n: number, rng: Rng): Action[] {
  const out: Action[] = [];
  for (let i = 0; i < n; i++) {
    out.push(space.kind === "discrete" ? rng.int(space.n) : space.low.map((lo, j) => rng.uniform(lo, space.high[j]!)));
  }
  return out;
}

export const bench: Bench = {
  name: "control-envs",
  async run({ quick }) {
    const steps = quick ? 5_000 : 100_000;
    const reps = quick ? 3 : 5;
    const results: BenchResult[] = [];
    for (const id of IDS) {
      const env = make(id);
      const actions = randomActions(env.actionSpace, steps, new Rng(0));
      const rates: number[] = [];
      for (let rep = 0; rep <= reps; rep++) {
        env.reset({ seed: rep });
        const t0 = performance.now();
        for (let i = 0; i < steps; i++) {
          const r = env.step(actions[i]!);
          if (r.terminated || r.truncated) env.reset();
        }
        const ms = performance.now() - t0;
        if (rep > 0) rates.push((steps / ms) * 1000); // rep 0 warms up the JIT
      }
      results.push({
        case: `${id} random-action step`,
        value: median(rates),
        unit: "steps/s",
        extra: { steps, reps, min: Math.min(...rates), max: Math.max(...rates) },
      });
    }
    return results;
  },
};
