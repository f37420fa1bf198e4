/**
 * `strl reproduce` as a sweep: the rows of `experimentRows()` x models x seeds at a scale's budget, the
 * definition shipped as `sweeps/reproduce-<scale>.json` (a test keeps the files equal to this), so the same grid
 * runs with local workers (`strl reproduce --jobs N`) or on a cluster (`strl sweep plan` + `strl sweep slurm`).
 * Row 1 trains four models (STRL in paper mode too), the others three.
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
    const episodes = row.maze ? b.mazeEpisodes : scale === "paper" && row.paperEpisodes ? row.paperEpisodes : b.episodes;
    const note = row.paperEpisodes && episodes !== row.paperEpisodes ? ` (${episodes} episodes, not the paper's ${row.paperEpisodes.toLocaleString("en-US")})` : "";
    return { id: row.id, group: row.group, title: row.title + note, envId: row.envId, ...(row.envOptions ? { envOptions: row.envOptions } : {}), policy: row.policy, episodes, closedLoop: row.closedLoop };
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
