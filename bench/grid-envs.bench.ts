/**
 * Grid environment speed: env steps/s with uniformly random actions (auto-reset at episode end, a fresh layout per
 * episode) for each grid env, the expert's actions/s, and the time to generate 50,000 21x21 mazes with their A*
 * solutions (what the maze dataset needs; target < 60 s).
 */
import type { Bench, BenchResult } from "./types.js";
import { median } from "./types.js";
import { make } from "../src/envs/index.js";
import { expertAction, generateMaze, solveMazeAStar } from "../src/envs/grid/index.js";
import { Rng } from "../src/tensor/rng.js";

function stepsPerSecond(id: string, options: Record<string, unknown> | undefined, steps: number, useExpert = false): number {
  const env = make(id, options);
  const rng = new Rng(1);
  const n = env.actionSpace.kind === "discrete" ? env.actionSpace.n : 1;
  let episode = 0;
  env.reset({ seed: episode++ });
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    const a = useExpert ? expertAction(env) : rng.int(n);
    const s = env.step(a);
    if (s.terminated || s.truncated) env.reset({ seed: episode++ });
  }
  return steps / ((performance.now() - t0) / 1000);
}

export const bench: Bench = {
  name: "grid-envs",
  async run({ quick }) {
    const out: BenchResult[] = [];
    const steps = quick ? 20_000 : 300_000;
    const cases: [string, Record<string, unknown> | undefined][] = [
      ["Maze-v0", undefined],
      ["MazeLocal-v0", undefined],
      ["MazeLocal-v0", { view: "3x3" }],
      ["MiniGrid-Empty-8x8-v0", undefined],
      ["MiniGrid-FourRooms-v0", undefined],
      ["MiniGrid-DoorKey-8x8-v0", undefined],
      ["MiniGrid-DoorKey-8x8-v0", { observation: "image" }],
    ];
    for (const [id, opts] of cases) {
      stepsPerSecond(id, opts, Math.min(steps, 5_000)); // warm-up
      const v = stepsPerSecond(id, opts, steps);
      const label = opts ? `${id} ${JSON.stringify(opts)}` : id;
      out.push({ case: `${label} random-action steps/s`, value: v, unit: "steps/s", extra: { steps } });
    }
    for (const id of ["Maze-v0", "MiniGrid-FourRooms-v0", "MiniGrid-DoorKey-8x8-v0"]) {
      const n = quick ? 5_000 : 50_000;
      stepsPerSecond(id, undefined, 1_000, true);
      out.push({ case: `${id} expert steps/s`, value: stepsPerSecond(id, undefined, n, true), unit: "steps/s", extra: { steps: n } });
    }
    // 50,000 mazes + A* (the dataset's workload). Quick mode times 5,000 and scales to 50,000.
    const count = quick ? 5_000 : 50_000;
    const reps = quick ? 1 : 3;
    const times: number[] = [];
    let totalLen = 0;
    for (let r = 0; r < reps; r++) {
      totalLen = 0;
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        const g = generateMaze(i);
        totalLen += solveMazeAStar(g)!.length;
      }
      times.push((performance.now() - t0) / 1000);
    }
    const sec = median(times) * (50_000 / count);
    out.push({
      case: "generate 50,000 21x21 mazes + A* solutions",
      value: sec,
      unit: "s",
      extra: { measuredMazes: count, runsSeconds: times, target: "< 60 s", meanSolutionLength: totalLen / count, scaledFromQuick: quick },
    });
    return out;
  },
};
