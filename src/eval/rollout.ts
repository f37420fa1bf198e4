/**
 * Closed-loop evaluation: run a policy in its environment, conditioned on one or more target returns, over
 * `episodes` episodes for each of `seeds`, and summarise per target: return mean ± std (population std over all
 * episodes of all seeds, stats.ts), success rate (success.ts), mean episode length, and the normalised score
 * where reference returns exist (normalized.ts).
 *
 * Seeding (seeds.ts): per seed, episode reset seeds, the policy's stream and the mazes come from `new Rng(seed)`
 * forks; every target replays the same episodes. Maze envs get one explicit maze seed per episode, drawn from the
 * evaluation stream (unseen-mazes.ts); with `excludeMazes` (the grid keys of the training data's mazes,
 * `collectedMazeKeys(...)`) no episode plays a training maze, and too few unseen mazes are refused unless
 * `allowSeenMazes` asks for any maze (then labelled "seen"). `result.mazes` says which.
 */
import { make, readyFor } from "../envs/index.js";
import type { PolicyModel } from "../models/types.js";
import { assertSeed } from "../tensor/rng.js";
import { checkSignal, playEpisode, type EpisodeResult } from "./episode.js";
import { modelPolicy, modelRtgScale } from "./model-policy.js";
import { checkReferences, d4rlReference, normalizedScore, type ReferenceReturns } from "./normalized.js";
import type { Policy } from "./policy.js";
import { drawsMazes, evaluationStreams, hasFixedMaze, isMazeEnv } from "./seeds.js";
import { mazeKey, planEvaluationMazes, type MazeDraws } from "./unseen-mazes.js";
import type { MazeGrid } from "../envs/grid/maze-gen.js";
import { describe as summarise, mean } from "./stats.js";
import { successRule, type SuccessRule } from "./success.js";
import { bytesText } from "../config/index.js";

/** At most this many episodes an evaluation plays (targets x seeds x episodes). */
export const MAX_EVAL_EPISODES = 1_000_000;
/** About what one episode's record (return, length, flags, seed, maze) keeps in memory. */
const EPISODE_RECORD_BYTES = 200;

/** Why an evaluation of `total` episodes (targets x seeds x episodes) is refused, or undefined. */
export function evalSizeProblem(total: number): string | undefined {
  if (total <= MAX_EVAL_EPISODES) return undefined;
  return `${total} episodes in all (targets x seeds x episodes) are above the limit of ${MAX_EVAL_EPISODES}; their records alone would keep about ${bytesText(total * EPISODE_RECORD_BYTES)} in memory`;
}

export interface ClosedLoopOptions {
  /** A fresh policy for each (target, seed). Give exactly one of `policyFactory` and `model`. */
  policyFactory?: (seed: number, targetReturn: number) => Policy;
  /** A trained model, run through its `getAction` (model-policy.ts), in eval mode for the run (flag restored after).
   *  Its config's rtgScale must equal `rtgScale`. */
  model?: PolicyModel;
  /** With `model`: sample actions from the softmax (seeded by the policy stream) instead of the arg-max. */
  sample?: boolean;
  /** With `model`: called after every decision with its number of real tokens (energy accounting). */
  onForward?: (tokens: number) => void;
  envId: string;
  envOptions?: Record<string, unknown>;
  /** Unscaled target returns to condition on, at least one. */
  targetReturns: number[];
  /** Episodes per seed (and per target), >= 1. */
  episodes: number;
  /** Evaluation seeds (uint32), at least one, distinct. */
  seeds: number[];
  /** The returns-to-go divisor used in training (> 0). */
  rtgScale: number;
  /** Cap on episode length (default: the env's own time limit only). */
  maxSteps?: number;
  /** Grid keys (`mazeKey`) of the training mazes, never evaluated on (maze envs). */
  excludeMazes?: ReadonlySet<string>;
  /** With `excludeMazes`: when too few unseen mazes exist, evaluate on any maze (labelled "seen") instead of refusing. */
  allowSeenMazes?: boolean;
  /** Reference returns for the normalised score (default: D4RL's for the env, if any). */
  references?: ReferenceReturns;
  /** Success rule (default `successRule(envId)`); `null` = none. */
  success?: SuccessRule | null;
  /** Keep each episode's actions in its record (`episodes[i].actions`). */
  recordActions?: boolean;
  /** Called after every episode. */
  onProgress?: (p: ClosedLoopProgress) => void;
  /**
   * Stops the evaluation: checked before every episode and every step, yielding to the event loop at least every
   * 100 ms so that a signal handler can abort it; an aborted evaluation throws `signal.reason`.
   */
  signal?: AbortSignal;
}

export interface ClosedLoopProgress {
  /** Episodes finished so far, over all targets and seeds. */
  done: number;
  total: number;
  targetReturn: number;
  seed: number;
  episode: number;
  result: EpisodeResult;
}

export interface EpisodeRecord extends EpisodeResult {
  seed: number;
  /** Index within its seed. */
  episode: number;
}

export interface TargetResult {
  targetReturn: number;
  /** Over all episodes of all seeds. */
  returnMean: number;
  /** Population std over all episodes of all seeds. */
  returnStd: number;
  /** Standard error of the mean over all episodes. */
  returnStdErr: number;
  /** Mean return of each seed, in `seeds` order. */
  returnMeanPerSeed: number[];
  /** Fraction of successful episodes; `null` without a success rule. */
  successRate: number | null;
  lengthMean: number;
  /** Normalised score of the mean return and the population std of the per-episode scores (with references). */
  normalizedMean?: number;
  normalizedStd?: number;
  episodes: EpisodeRecord[];
}

export interface ClosedLoopResult {
  envId: string;
  policy: string;
  seeds: number[];
  episodesPerSeed: number;
  rtgScale: number;
  maxSteps?: number;
  /** Description of the success rule, `null` without one. */
  successRule: string | null;
  references?: ReferenceReturns;
  /** Maze envs drawing a maze per episode: which mazes were played (unseen, any or seen). */
  mazes?: MazeDraws;
  targets: TargetResult[];
}

function fail(what: string, v: unknown, must: string): never {
  throw new RangeError(`evaluateClosedLoop: ${what} must be ${must}, got ${JSON.stringify(v)}`);
}

function check(o: ClosedLoopOptions): void {
  if ((o.policyFactory === undefined) === (o.model === undefined)) {
    throw new RangeError("evaluateClosedLoop: give exactly one of 'policyFactory' and 'model'");
  }
  if (o.policyFactory !== undefined && typeof o.policyFactory !== "function") fail("policyFactory", typeof o.policyFactory, "a function");
  if (typeof o.envId !== "string" || o.envId.length === 0) fail("envId", o.envId, "a non-empty string");
  if (!Array.isArray(o.targetReturns) || o.targetReturns.length === 0) fail("targetReturns", o.targetReturns, "a non-empty array of numbers");
  o.targetReturns.forEach((t, i) => (typeof t === "number" && Number.isFinite(t)) || fail(`targetReturns[${i}]`, t, "a finite number"));
  if (!Number.isInteger(o.episodes) || o.episodes < 1) fail("episodes", o.episodes, "an integer >= 1");
  const tooMany = Array.isArray(o.seeds) && Array.isArray(o.targetReturns) ? evalSizeProblem(o.episodes * o.seeds.length * o.targetReturns.length) : undefined;
  if (tooMany) throw new RangeError(`evaluateClosedLoop: ${tooMany}`);
  if (!Array.isArray(o.seeds) || o.seeds.length === 0) fail("seeds", o.seeds, "a non-empty array of uint32 seeds");
  o.seeds.forEach((s, i) => assertSeed(s, `evaluateClosedLoop: seeds[${i}]`));
  if (new Set(o.seeds).size !== o.seeds.length) fail("seeds", o.seeds, "distinct");
  if (typeof o.rtgScale !== "number" || !Number.isFinite(o.rtgScale) || o.rtgScale <= 0) fail("rtgScale", o.rtgScale, "a finite number > 0");
  const ns = o.model ? modelRtgScale(o.model) : undefined;
  if (ns !== undefined && ns !== o.rtgScale) {
    throw new RangeError(`evaluateClosedLoop: rtgScale ${o.rtgScale} differs from the model's training rtgScale ${ns}; evaluate with the training scale`);
  }
  if (o.maxSteps !== undefined && (!Number.isInteger(o.maxSteps) || o.maxSteps < 1)) fail("maxSteps", o.maxSteps, "an integer >= 1");
  if (o.references !== undefined) checkReferences(o.references, "evaluateClosedLoop: references");
}

/** Runs the evaluation (see the module comment). */
export async function evaluateClosedLoop(o: ClosedLoopOptions): Promise<ClosedLoopResult> {
  check(o);
  await readyFor(o.envId);
  const env = make(o.envId, o.envOptions);
  const rule = o.success === undefined ? successRule(o.envId) : o.success;
  const refs = o.references ?? d4rlReference(o.envId);
  const drawMazes = drawsMazes(o.envId, o.envOptions);
  if (isMazeEnv(o.envId) && hasFixedMaze(o.envOptions) && o.excludeMazes?.has(mazeKey((env as unknown as { getMaze(): MazeGrid }).getMaze()))) {
    throw new RangeError(`evaluateClosedLoop: the fixed maze of envOptions (${o.envOptions?.mazeSeed !== undefined ? `mazeSeed ${String(o.envOptions.mazeSeed)}` : "maze"}) is one of the training mazes`);
  }
  const plan = drawMazes ? planEvaluationMazes(o.seeds, o.episodes, (env as unknown as { size: number }).size, o.excludeMazes, o.allowSeenMazes) : undefined;
  const model = o.model;
  const makePolicy = (seed: number, target: number): Policy =>
    model
      ? modelPolicy(model, { sample: o.sample, onForward: o.onForward })
      : o.policyFactory!(seed, target);
  const wasTraining = model?.training;
  model?.eval();
  const total = o.targetReturns.length * o.seeds.length * o.episodes;
  let done = 0;
  let policyName = model ? model.kind : "";
  const targets: TargetResult[] = [];
  try {
    for (const target of o.targetReturns) {
      const records: EpisodeRecord[] = [];
      const perSeed: number[] = [];
      for (const [si, seed] of o.seeds.entries()) {
        const streams = evaluationStreams(seed);
        const policy = makePolicy(seed, target);
        policyName ||= policy.name;
        const seedReturns: number[] = [];
        for (let e = 0; e < o.episodes; e++) {
          await checkSignal(o.signal);
          const resetSeed = streams.env.nextU32();
          const resetOptions = plan ? { mazeSeed: plan.perSeed[si]![e]! } : undefined;
          const result = await playEpisode({ env, policy, resetSeed, resetOptions, targetReturn: target, rtgScale: o.rtgScale, maxSteps: o.maxSteps, rng: streams.policy, success: rule, recordActions: o.recordActions, signal: o.signal });
          records.push({ ...result, seed, episode: e });
          seedReturns.push(result.return);
          done++;
          o.onProgress?.({ done, total, targetReturn: target, seed, episode: e, result });
        }
        perSeed.push(mean(seedReturns));
      }
      targets.push(summariseTarget(o.envId, target, records, perSeed, rule !== null, refs));
    }
  } finally {
    if (model && wasTraining !== undefined) model.train(wasTraining);
    env.close?.();
  }
  const out: ClosedLoopResult = {
    envId: o.envId,
    policy: policyName,
    seeds: [...o.seeds],
    episodesPerSeed: o.episodes,
    rtgScale: o.rtgScale,
    successRule: rule?.description ?? null,
    targets,
  };
  if (plan) out.mazes = plan.draws;
  if (o.maxSteps !== undefined) out.maxSteps = o.maxSteps;
  if (refs) out.references = refs;
  return out;
}

function summariseTarget(envId: string, target: number, records: EpisodeRecord[], perSeed: number[], hasRule: boolean, refs?: ReferenceReturns): TargetResult {
  const returns = records.map((r) => r.return);
  const s = summarise(returns);
  const out: TargetResult = {
    targetReturn: target,
    returnMean: s.mean,
    returnStd: s.std,
    returnStdErr: s.stdErr,
    returnMeanPerSeed: perSeed,
    successRate: hasRule ? records.filter((r) => r.success === true).length / records.length : null,
    lengthMean: mean(records.map((r) => r.length)),
    episodes: records,
  };
  if (refs) {
    const scores = returns.map((r) => normalizedScore(envId, r, refs));
    const n = summarise(scores);
    out.normalizedMean = n.mean;
    out.normalizedStd = n.std;
  }
  return out;
}
