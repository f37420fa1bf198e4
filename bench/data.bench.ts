/**
 * Dataset throughput: collection rate (steps/s, policy + env + recording) for a few envs and policies, the time
 * of the paper's 50,000-maze expert dataset (collection, HDF5 write, HDF5 read), and the window loader's
 * throughput (windows/s for batches of B = 64 windows of K = 20 steps).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bench, BenchResult } from "./types.js";
import { median, timeRuns } from "./types.js";
import { collectDataset, type CollectOptions } from "../src/data/collect.js";
import { readDatasetHdf5, writeDatasetHdf5 } from "../src/data/hdf5.js";
import type { PolicyName } from "../src/data/policies.js";
import { WindowSampler } from "../src/data/windows.js";
import { Rng } from "../src/tensor/rng.js";

const COLLECT_CASES: Array<[string, PolicyName, number, Partial<CollectOptions>?]> = [
  ["CartPole-v1", "random", 400],
  ["Pendulum-v1", "medium", 40],
  ["MiniGrid-FourRooms-v0", "medium", 40],
  ["Maze-v0", "expert", 500, { fastPath: false }],
];

export const bench: Bench = {
  name: "data",
  async run({ quick }) {
    const results: BenchResult[] = [];
    const reps = quick ? 1 : 3;

    for (const [envId, policy, episodes0, extra] of COLLECT_CASES) {
      const episodes = quick ? Math.max(2, Math.ceil(episodes0 / 10)) : episodes0;
      let steps = 0;
      const ms = await timeRuns(() => {
        steps = collectDataset({ envId, policy, episodes, seed: 1, ...(extra ?? {}) }).numSteps;
      }, reps);
      const rates = ms.map((t) => (steps / t) * 1000);
      const label = extra?.fastPath === false ? " (generic loop)" : "";
      results.push({ case: `collect ${envId} ${policy}${label}`, value: median(rates), unit: "steps/s", extra: { episodes, steps, reps } });
    }

    // The paper's maze dataset (quick: a tenth of it).
    const mazes = quick ? 5_000 : 50_000;
    const t0 = performance.now();
    const maze = collectDataset({ envId: "Maze-v0", policy: "expert", episodes: mazes, seed: 42 });
    const collectS = (performance.now() - t0) / 1000;
    results.push({ case: `maze paper dataset: collect ${mazes} A* expert episodes`, value: collectS, unit: "s", extra: { steps: maze.numSteps, target: "< 60 s for 50,000" } });
    const dir = mkdtempSync(join(tmpdir(), "strl-bench-data-"));
    try {
      const file = join(dir, "maze.h5");
      const t1 = performance.now();
      await writeDatasetHdf5(file, maze);
      const t2 = performance.now();
      const back = await readDatasetHdf5(file);
      const t3 = performance.now();
      const mb = statSync(file).size / 2 ** 20;
      results.push({ case: `maze paper dataset: write HDF5 (${mazes} episodes)`, value: (t2 - t1) / 1000, unit: "s", extra: { MiB: Number(mb.toFixed(1)) } });
      results.push({ case: `maze paper dataset: read HDF5 (${mazes} episodes)`, value: (t3 - t2) / 1000, unit: "s", extra: { MiB: Number(mb.toFixed(1)), episodes: back.numEpisodes } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // Window loader: B = 64, K = 20 on the maze dataset.
    const sampler = new WindowSampler(maze, { contextLength: 20, rtgScale: 10, numTimesteps: 1000 });
    const rng = new Rng(0);
    const batches = quick ? 50 : 500;
    const ms = await timeRuns(() => {
      for (let i = 0; i < batches; i++) sampler.sample(64, rng);
    }, reps);
    results.push({ case: "window loader sample B=64 K=20 (maze)", value: (batches * 64 * 1000) / median(ms), unit: "windows/s", extra: { batches, reps } });
    const msAll = await timeRuns(() => {
      let n = 0;
      for (const b of sampler.allWindows(64)) n += b.B;
      return n;
    }, 1, 0);
    results.push({ case: "window loader allWindows B=64 K=20 (maze)", value: (sampler.numWindows * 1000) / msAll[0]!, unit: "windows/s", extra: { windows: sampler.numWindows } });
    return results;
  },
};
