/**
 * Reference returns for environments D4RL has no numbers for: the mean return of the uniformly random policy
 * (score 0) and of the env family's expert (score 100), **measured** here by running both policies with
 * `evaluateClosedLoop` (same seeds, same episodes). The result says so in its `source`; pass it to
 * `normalizedScore(envId, ret, refs)` or `evaluateClosedLoop({ references })`.
 */
import { checkReferences, type ReferenceReturns } from "./normalized.js";
import { expertPolicy, randomPolicy } from "./policy.js";
import { evaluateClosedLoop } from "./rollout.js";

export interface MeasureOptions {
  /** Episodes per seed (default 100). */
  episodes?: number;
  /** Seeds (default [0]). */
  seeds?: number[];
  envOptions?: Record<string, unknown>;
  maxSteps?: number;
  excludeMazes?: ReadonlySet<string>;
}

export async function measureReferenceReturns(envId: string, o: MeasureOptions = {}): Promise<ReferenceReturns> {
  const episodes = o.episodes ?? 100;
  const seeds = o.seeds ?? [0];
  const common = { envId, envOptions: o.envOptions, targetReturns: [0], episodes, seeds, rtgScale: 1, maxSteps: o.maxSteps, excludeMazes: o.excludeMazes, success: null };
  const random = await evaluateClosedLoop({ ...common, policyFactory: () => randomPolicy() });
  const expert = await evaluateClosedLoop({ ...common, policyFactory: () => expertPolicy() });
  return checkReferences(
    {
      random: random.targets[0]!.returnMean,
      expert: expert.targets[0]!.returnMean,
      source: `measured: random and expert policies, ${episodes} episodes x seeds [${seeds.join(", ")}]`,
    },
    `measured reference returns of '${envId}'`,
  );
}
