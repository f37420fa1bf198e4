/** Measures the returns that choose the `medium` policy's noise level (the table lives in ./medium-policy-noise.ts). */
import { collectDataset } from "./collect.js";
import { TUNE_EPISODES, TUNE_GRID, TUNE_SEED, type MediumEntry } from "./medium-policy-noise.js";
import type { PolicyName } from "./policies.js";

/** Mean undiscounted return of a policy over `episodes` episodes. */
export function measureReturns(envId: string, policy: PolicyName, episodes: number, seed: number, eps?: number): number {
  const ds = collectDataset({ envId, policy, episodes, seed, eps });
  const r = ds.returns();
  return r.reduce((a, b) => a + b, 0) / r.length;
}

/** Measures random, expert and every eps of the grid; returns the entry whose medium return is nearest the midpoint. */
export function tuneMediumEps(envId: string, grid: readonly number[] = TUNE_GRID, episodes = TUNE_EPISODES, seed = TUNE_SEED): MediumEntry {
  const random = measureReturns(envId, "random", episodes, seed);
  const expert = measureReturns(envId, "expert", episodes, seed);
  const mid = (random + expert) / 2;
  let best: MediumEntry | undefined;
  for (const eps of grid) {
    const medium = measureReturns(envId, "medium", episodes, seed, eps);
    if (!best || Math.abs(medium - mid) < Math.abs(best.medium - mid)) best = { eps, random, expert, medium };
  }
  return best!;
}
