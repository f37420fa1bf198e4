/** A tiny sweep for the CLI's lock and signal tests, and a lock as a process on another node leaves it. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { jobDir, planSweep, readPlan } from "../../src/experiments/sweep-dir.js";
import { LOCK_FILE } from "../../src/io/run-lock.js";

/** CartPole with offline evaluation only (no reference returns, no episodes): a job is data + training. */
export const tinySweep = (name: string, steps: number, seeds: number[], checkpointEvery = steps) => ({
  name,
  base: {
    train: { steps, batchSize: 8, evalEvery: steps, checkpointEvery },
    eval: { episodes: 1 },
    model: { preset: "tiny", config: { dModel: 16, nBlocks: 1, nHeads: 1, contextLength: 4 } },
  },
  axes: { task: [{ id: "cp", envId: "CartPole-v1", policy: "expert", episodes: 20, closedLoop: false }], model: [{ name: "S", kind: "strl" }], seed: seeds },
});

/** `tinySweep` planned into `root/name`; `jd(i)` is job i's folder (ids "0000-cp-s-s0", ...). */
export function planTiny(root: string, name: string, steps: number, seeds: number[], checkpointEvery = steps): { dir: string; jd: (i: number) => string } {
  const dir = join(root, name);
  planSweep(tinySweep(name, steps, seeds, checkpointEvery), dir);
  const plan = readPlan(dir);
  return { dir, jd: (i) => jobDir(dir, plan.jobs[i]!) };
}

/** Writes `dir`'s lock as pid 4242 on host node7 (started 2025-01-02T03:04:05Z) left it, its heartbeat `agoS` seconds ago. */
export const otherNodeLock = (dir: string, agoS: number): void =>
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 4242, host: "node7", started: Date.parse("2025-01-02T03:04:05Z"), heartbeat: Date.now() - agoS * 1000, token: "ab12" }));
