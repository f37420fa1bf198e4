/**
 * Evaluating a trained model the way `strl eval`, `strl energy`, the demo and `strl reproduce` do: offline
 * accuracy / MSE on the held-out test split of its dataset (the split the training run made, recomputed from
 * the training seed), closed-loop returns on unseen episodes (maze tasks: mazes whose grid is not in the dataset), and energy
 * per decision measured on the very decisions those episodes made.
 */
import { Rng } from "../tensor/index.js";
import { Dataset, WindowSampler, splitEpisodes } from "../data/index.js";
import type { PolicyModel } from "../models/index.js";
import { evaluateOffline, type OfflineMetrics } from "../train/index.js";
import { collectedMazeKeys, evaluateWithEnergy, isMazeEnv, type ClosedLoopResult, type ModelEnergy, type ReferenceReturns } from "../eval/index.js";
import { CMOS_45NM, type DeviceProfile } from "../energy/index.js";
import { datasetEnvOptions } from "./pipeline.js";

/** The test-split windows of `dataset` for `model` (normalised with the model's own statistics). */
export function testSampler(model: PolicyModel, dataset: Dataset, splitSeed: number): WindowSampler {
  const c = model.config.toJSON() as { contextLength?: number; maxTimestep?: number; rtgScale: number; stateMean: number[]; stateStd: number[] };
  const split = splitEpisodes(dataset.numEpisodes, new Rng(splitSeed));
  if (split.test.length === 0) throw new RangeError(`the test split of ${dataset.numEpisodes} episodes is empty; no held-out episodes to evaluate on`);
  const idx = split.test;
  return new WindowSampler(
    dataset,
    {
      contextLength: c.contextLength ?? model.contextLength,
      rtgScale: c.rtgScale,
      numTimesteps: c.maxTimestep ?? 1_000_000,
      stats: { mean: Float32Array.from(c.stateMean), std: Float32Array.from(c.stateStd) },
    },
    idx,
  );
}

/** Per-step accuracy (discrete) or MSE (continuous) on the held-out test split. */
export function offlineTest(model: PolicyModel, dataset: Dataset, splitSeed: number, batchSize = 64): OfflineMetrics {
  const wasTraining = model.training;
  model.eval();
  try {
    return evaluateOffline(model, testSampler(model, dataset, splitSeed).allWindows(batchSize));
  } finally {
    model.train(wasTraining);
  }
}

/**
 * The grid keys of a maze dataset's mazes (to evaluate on unseen mazes), recomputed from its collection metadata
 * (seed, episodes, env_options); `undefined` for other envs. A maze dataset without that metadata (not written by
 * `strl collect`, or with episodes removed) is refused: its mazes cannot be known.
 */
export function trainingMazes(dataset: Dataset): Set<string> | undefined {
  if (!isMazeEnv(dataset.envId)) return undefined;
  const { seed, episodes } = dataset.metadata;
  if (typeof seed !== "number" || typeof episodes !== "number" || episodes !== dataset.numEpisodes) {
    throw new RangeError(
      `the ${dataset.envId} dataset does not record how it was collected (metadata seed ${JSON.stringify(seed ?? null)}, episodes ${JSON.stringify(episodes ?? null)} for ${dataset.numEpisodes} episodes), so its mazes cannot be recomputed and excluded`,
    );
  }
  return collectedMazeKeys(dataset.envId, datasetEnvOptions(dataset), seed, episodes);
}

export interface ClosedLoopEvalOptions {
  envId: string;
  envOptions?: Record<string, unknown>;
  targetReturns: number[];
  episodes: number;
  seeds: number[];
  /** Grid keys of the training mazes (`trainingMazes`); with `allowSeenMazes`, too few unseen ones give "seen". */
  excludeMazes?: ReadonlySet<string>;
  allowSeenMazes?: boolean;
  maxSteps?: number;
  /** Random / expert reference returns for the normalised score (default: D4RL's where they exist). */
  references?: ReferenceReturns;
  profile?: DeviceProfile;
  /** Keep each episode's actions (`closedLoop.targets[i].episodes[j].actions`). */
  recordActions?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Closed-loop returns and the energy of the decisions made, for one model. */
export async function closedLoopWithEnergy(model: PolicyModel, o: ClosedLoopEvalOptions): Promise<{ closedLoop: ClosedLoopResult; energy: ModelEnergy }> {
  const rtgScale = (model.config.toJSON() as { rtgScale: number }).rtgScale;
  return evaluateWithEnergy(
    model,
    {
      envId: o.envId,
      envOptions: o.envOptions,
      targetReturns: o.targetReturns,
      episodes: o.episodes,
      seeds: o.seeds,
      rtgScale,
      maxSteps: o.maxSteps,
      excludeMazes: o.excludeMazes,
      allowSeenMazes: o.allowSeenMazes,
      references: o.references,
      recordActions: o.recordActions,
      onProgress: o.onProgress ? (p) => o.onProgress!(p.done, p.total) : undefined,
    },
    o.profile ?? CMOS_45NM,
  );
}
