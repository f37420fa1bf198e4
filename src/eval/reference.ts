/**
 * Reference returns for environments D4RL has no numbers for: the mean return of the uniformly random policy
 * (score 0) and of the env family's expert (score 100), **measured** here by running both policies with
 * `evaluateClosedLoop` (same seeds, same episodes), each with its standard error (sample std over all episodes of
 * all seeds / sqrt(episodes)). The result says so in its `source`; pass it to `normalizedScore(envId, ret, refs)`
 * or `evaluateClosedLoop({ references })`.
 *
 * How many: `REFERENCE_EPISODES_PER_SEED` episodes on each of `REFERENCE_SEED_COUNT` consecutive seeds, 100 in
 * all per policy (ten times the 10 episodes on one seed used before issue 20, which left Pendulum's random
 * reference with a standard error of ~109, ~10 normalised points). Measuring both policies this way takes about
 * 2 s on the slowest non-MuJoCo env (Maze2D-UMaze) on one core.
 */
import { checkReferences, type ReferenceReturns } from "./normalized.js";
import { expertPolicy, randomPolicy } from "./policy.js";
import { evaluateClosedLoop } from "./rollout.js";

/** Episodes per seed of a reference measurement. */
export const REFERENCE_EPISODES_PER_SEED = 20;
/** Seeds of a reference measurement (consecutive, from the caller's first seed). */
export const REFERENCE_SEED_COUNT = 5;

/** The reference seeds starting at `first`: [first, first + 1, ..., first + REFERENCE_SEED_COUNT - 1]. */
export function referenceSeeds(first: number): number[] {
  if (!Number.isInteger(first) || first < 0 || first + REFERENCE_SEED_COUNT - 1 > 0xffffffff) throw new RangeError(`referenceSeeds: first must be an integer in [0, 2^32 - ${REFERENCE_SEED_COUNT}], got ${String(first)}`);
  return Array.from({ length: REFERENCE_SEED_COUNT }, (_, i) => first + i);
}

export interface MeasureOptions {
  /** Episodes per seed (default REFERENCE_EPISODES_PER_SEED). */
  episodes?: number;
  /** Seeds (default referenceSeeds(0)). */
  seeds?: number[];
  envOptions?: Record<string, unknown>;
  maxSteps?: number;
  excludeMazes?: ReadonlySet<string>;
}

export async function measureReferenceReturns(envId: string, o: MeasureOptions = {}): Promise<ReferenceReturns> {
  const episodes = o.episodes ?? REFERENCE_EPISODES_PER_SEED;
  const seeds = o.seeds ?? referenceSeeds(0);
  const common = { envId, envOptions: o.envOptions, targetReturns: [0], episodes, seeds, rtgScale: 1, maxSteps: o.maxSteps, excludeMazes: o.excludeMazes, success: null };
  const random = (await evaluateClosedLoop({ ...common, policyFactory: () => randomPolicy() })).targets[0]!;
  const expert = (await evaluateClosedLoop({ ...common, policyFactory: () => expertPolicy() })).targets[0]!;
  return checkReferences(
    {
      random: random.returnMean,
      expert: expert.returnMean,
      source: `measured: random and expert policies, ${episodes} episodes x seeds [${seeds.join(", ")}]`,
      randomStdErr: random.returnStdErr,
      expertStdErr: expert.returnStdErr,
      episodes: episodes * seeds.length,
    },
    `measured reference returns of '${envId}'`,
  );
}
