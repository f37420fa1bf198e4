/**
 * A tiny maze STRL trained in seconds: the policy `strl serve` serves when given no checkpoint, and the one the
 * browser page trains with its "train in the browser" button (the same code, in Node or in the page).
 * Maze 7x7 with the local (wall-bit) view, 120 A* expert episodes, preset "tiny", 120 AdamW updates (about 10 s on 2 cores).
 */
import { collectDataset } from "../data/index.js";
import type { AnyModel } from "../models/index.js";
import type { TextSink } from "../train/log.js";
import { trainOnDataset } from "./pipeline.js";

export const TINY_MAZE = {
  envId: "MazeLocal-v0",
  envOptions: { size: 7 },
  episodes: 120,
  steps: 120,
  batchSize: 16,
  seed: 0,
} as const;

export interface TinyMazeOptions {
  /** Write the run (and `<outDir>/checkpoint`) here; nothing is written without it. */
  outDir?: string;
  /** Training updates (default 120). */
  steps?: number;
  /** Called with (updates done, total) now and then; may return a promise (e.g. to let a page repaint). */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

export interface TinyMazeRun {
  model: AnyModel;
  envId: string;
  envOptions: Record<string, unknown>;
}

const quiet: TextSink = { write: () => true };

export async function trainTinyMaze(o: TinyMazeOptions = {}): Promise<TinyMazeRun> {
  const t = TINY_MAZE;
  const steps = o.steps ?? t.steps;
  const dataset = collectDataset({ envId: t.envId, policy: "expert", episodes: t.episodes, seed: t.seed, envOptions: { ...t.envOptions } });
  await o.onProgress?.(0, steps);
  const run = await trainOnDataset({
    dataset,
    kind: "strl",
    preset: "tiny",
    train: { steps, batchSize: t.batchSize, seed: t.seed, lr: 1e-3, warmupSteps: Math.floor(steps / 10), evalEvery: 5 },
    outDir: o.outDir,
    output: "quiet",
    sink: quiet,
    evaluate: async (_m, step) => {
      await o.onProgress?.(step, steps);
      return {};
    },
  });
  return { model: run.model, envId: t.envId, envOptions: { ...t.envOptions } };
}
