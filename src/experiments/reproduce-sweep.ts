/**
 * `strl reproduce` as a sweep: the rows of `experimentRows()` x models x seeds at a scale's budget, the
 * definition shipped as `sweeps/reproduce-<scale>.json` (a test keeps the files equal to this), so the same grid
 * runs with local workers (`strl reproduce --jobs N`) or on a cluster (`strl sweep plan` + `strl sweep slurm`).
 * Row 1 trains four models (STRL in paper mode too), the others three. The locomotion rows (6) carry their own
 * preset, budget, closed-loop episodes and target in their task (`SweepTask.preset/train/eval/targetReturn`).
 */
import { fileURLToPath } from "node:url";
import { BUDGETS, PAPER, STRL, ANN, DT, experimentRows, type Scale } from "./reproduce.js";
import type { ModelSpec } from "./compare.js";
import type { SweepFile } from "./sweep.js";

/** The shipped sweep file of a scale (repo root `sweeps/`). */
export const reproduceSweepPath = (scale: Scale): string => fileURLToPath(new URL(`../../../sweeps/reproduce-${scale}.json`, import.meta.url));

const asModel = (m: ModelSpec) => ({ name: m.name, kind: m.kind, ...(m.model ? { config: m.model } : {}) });

export function reproduceSweep(scale: Scale, seeds: number[] = [0, 1, 2]): SweepFile {
  const b = BUDGETS[scale];
  const rows = experimentRows();
  const tasks = rows.map((row) => {
    const own = row.own ? { ...row.own.budget[scale], preset: row.own.preset, targetReturn: row.own.targetReturn } : undefined;
    const episodes = own ? own.episodes : row.maze ? b.mazeEpisodes : scale === "paper" && row.paperEpisodes ? row.paperEpisodes : b.episodes;
    const note = row.paperEpisodes && episodes !== row.paperEpisodes ? ` (${episodes} episodes, not the paper's ${row.paperEpisodes.toLocaleString("en-US")})` : "";
    const overrides = own
      ? { preset: own.preset, train: { steps: own.steps, batchSize: own.batchSize, warmupSteps: Math.floor(own.steps / 10), evalEvery: Math.max(1, Math.floor(own.steps / 5)) }, eval: { episodes: own.evalEpisodes }, targetReturn: own.targetReturn }
      : {};
    return { id: row.id, group: row.group, title: row.title + note, envId: row.envId, ...(row.envOptions ? { envOptions: row.envOptions } : {}), policy: row.policy, episodes, closedLoop: row.closedLoop, ...overrides };
  });
  const only4 = rows.filter((r) => !r.models.some((m) => m.name === PAPER.name)).map((r) => r.id);
  return {
    name: `reproduce-${scale}`,
    base: {
      model: { preset: b.preset },
      train: { steps: b.steps, batchSize: b.batchSize, lr: 1e-3, warmupSteps: Math.floor(b.steps / 10), evalEvery: Math.max(1, Math.floor(b.steps / 10)) },
      eval: { episodes: b.evalEpisodes },
    },
    axes: { task: tasks, model: [PAPER, STRL, ANN, DT].map(asModel), seed: seeds },
    exclude: [{ "model.name": PAPER.name, "task.id": only4 }],
  };
}
